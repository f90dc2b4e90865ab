#!/bin/sh
# dracut pre-udev hook: sourced by dracut's init (or by
# dracut-pre-udev.service, which runs before systemd-udevd), so it must not
# exit. The binder itself honours passthrough=off.
/usr/sbin/passthrough-early || :
