#!/usr/bin/env bash
# The Ansible example (contrib/ansible/passthrough.yml, the README's
# tasks) run by Debian's ansible-core against localhost, on fake Debian+GRUB
# roots (--root: the real /etc, /boot and /sys are never touched; apply
# runs no command there, it says what it would run). A first run installs
# the config, applies, reports changed and that a reboot is needed; a
# second changes nothing; --check predicts the change and writes nothing;
# a config that apply refuses fails the play with check's finding in its
# output and leaves the root as it was; on a host whose IOMMU is off the
# play does apply's step 1 (why the config is validated with
# `apply --dry-run`, not `check`). The module index is a built-in one
# made by depmod, as in test-readme.sh: no kernel download, no network.
# Skipped, never passed, without ansible-playbook (Debian: ansible-core)
# or as another user than root (check refuses a config root does not own).
# Output: TAP.
set -uo pipefail
. "$(dirname "$0")/../lib/cli.sh" "${1:-build}"
PLAYBOOK=$TOP/contrib/ansible/passthrough.yml
cd "$TAP_TMP" || exit 1

CASES=("first run: the config installed, apply changed the boot, a reboot needed"
	"second run: nothing changed"
	"--check on a fresh host: the change predicted, nothing written"
	"--check after the apply: no change predicted"
	"a config apply refuses: not installed, the play fails with check's finding"
	"--check with a config apply refuses: the play fails with check's finding, nothing written"
	"an installed config apply refuses: the apply task fails with check's finding"
	"the IOMMU off: the config installed though check exits 1, apply's step 1 of 2")
skip_all() {
	for c in "${CASES[@]}"; do check "ansible: $c # skip $1" true; done
	tap_end
	exit 0
}
command -v ansible-playbook >/dev/null || skip_all "ansible-playbook not installed (Debian: ansible-core)"
[ "$(id -u)" = 0 ] || skip_all "needs root: check refuses a config root does not own (config-owner)"

# Ansible's state under $TAP_TMP; no ansible.cfg of the user's or the
# system's (ANSIBLE_CONFIG names an empty one); the modules' temporary
# files (tempfile) there too.
mkdir -p ansible/tmp ansible/plugins
: >ansible/ansible.cfg
export ANSIBLE_CONFIG=$TAP_TMP/ansible/ansible.cfg ANSIBLE_HOME=$TAP_TMP/ansible/home \
	ANSIBLE_LOCAL_TEMP=$TAP_TMP/ansible/local ANSIBLE_REMOTE_TEMP=$TAP_TMP/ansible/remote \
	ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_DEPRECATION_WARNINGS=0 \
	ANSIBLE_CALLBACK_PLUGINS=$TAP_TMP/ansible/plugins ANSIBLE_CALLBACKS_ENABLED=record \
	TMPDIR=$TAP_TMP/ansible/tmp
# ansible-core has no json stdout callback (that is in ansible.posix): this
# one writes each task's result and the host's stats to $RECORD, next to
# the default output.
cat >ansible/plugins/record.py <<'PY'
import json
import os
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'notification'
    CALLBACK_NAME = 'record'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.tasks = []

    def _add(self, status, result):
        self.tasks.append({'task': result._task.get_name(), 'status': status,
                           'result': result._result})

    def v2_runner_on_ok(self, result):
        self._add('changed' if result._result.get('changed') else 'ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._add('failed', result)

    def v2_runner_on_skipped(self, result):
        self._add('skipped', result)

    def v2_playbook_on_stats(self, stats):
        with open(os.environ['RECORD'], 'w') as f:
            json.dump({'tasks': self.tasks, 'stats': stats.summarize('localhost')},
                      f, default=str, indent=1)
PY

# The fake host: the captured QEMU machine, Debian with GRUB (update-grub
# there, the GRUB drop-in installed), vfio-pci built into its kernel.
T=$TAP_TMP/template
cp -a "$TOP/tests/fixtures/qemu" "$T"
rel=$(cat "$T/proc/sys/kernel/osrelease")
mkdir -p "$T/lib/modules/$rel" "$T/etc/default/grub.d" "$T/usr/sbin"
printf '%s\n' kernel/drivers/vfio/pci/vfio-pci.ko kernel/drivers/vfio/vfio_iommu_type1.ko \
	kernel/drivers/pci/pci-stub.ko >"$T/lib/modules/$rel/modules.builtin"
: >"$T/lib/modules/$rel/modules.order"
depmod -b "$T" "$rel" 2>/dev/null
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n' >"$T/etc/os-release"
: >"$T/usr/sbin/update-grub"
cp "$TOP/grub/passthrough.cfg" "$T/etc/default/grub.d/passthrough.cfg"
new_host() { rm -rf "$1" && cp -a "$T" "$1"; }

GOOD='[device.nic]
address = 01:00.0
ids = 8086:10d3
'
NOTHING='[device.gpu]
ids = 10de:1b80
'

# vars NAME ROOT [CONFIG]: the play's variables for a host at ROOT, in
# NAME.vars.json; with CONFIG, the play installs that config.
vars() {
	python3 -c '
import json, sys
v = {"passthrough_become": False, "passthrough_reboot": False,
     "passthrough_bin": sys.argv[2], "passthrough_args": "--root " + sys.argv[3],
     "passthrough_config_path": sys.argv[3] + "/etc/passthrough.conf"}
if len(sys.argv) > 4:
    v["passthrough_config"] = sys.argv[4]
json.dump(v, open(sys.argv[1], "w"))' "$TAP_TMP/$1.vars.json" "$PT" "$2" "${@:3}"
}
# play NAME ARGS...: the playbook; default output in NAME.out, the record in
# NAME.json, the exit status in NAME.rc
play() {
	local name=$1; shift
	RECORD=$TAP_TMP/$name.json ansible-playbook -i localhost, -c local \
		-e "@$TAP_TMP/$name.vars.json" "$@" "$PLAYBOOK" >"$name.out" 2>&1
	echo $? >"$name.rc"
}
# judge NAME EXPR: EXPR, Python, holds of the run: rc (its exit status),
# stats (the host's PLAY RECAP counts), t(TASK) (a task's result; {} when it
# did not run), status(TASK) (ok, changed, failed, skipped or None), j(TASK)
# (the JSON on a task's stdout), reboot_needed() (the fact the play set),
# out (the default output); INSTALL and APPLY name the two main tasks.
judge() {
	python3 - "$TAP_TMP/$1" "$2" <<'PY'
import json, sys
base, expr = sys.argv[1], sys.argv[2]
rc = int(open(base + '.rc').read())
out = open(base + '.out').read()
try:
    rec = json.load(open(base + '.json'))
except OSError:
    sys.exit('ansible-playbook wrote no record (exit %d):\n%s' % (rc, out[-3000:]))
stats = rec['stats']
def find(name):
    runs = [x for x in rec['tasks'] if x['task'] == name]
    return runs[-1] if runs else {}
def t(name): return find(name).get('result', {})
def status(name): return find(name).get('status')
def j(name): return json.loads(t(name)['stdout'])
INSTALL = 'Install the passthrough config (refused when apply would refuse it)'
APPLY = 'passthrough apply'
def reboot_needed():
    return t('Whether the host must reboot to use what apply changed')['ansible_facts']['passthrough_reboot_needed']
if not eval('(' + expr + ')'):
    sys.exit('assertion failed: %s\nexit %d, recap %s\n%s' % (expr, rc, stats, out[-3000:]))
PY
}
# listing ROOT: every path and link target, and every file's checksum
listing() {
	(cd "$1" && find . -printf '%y %m %p %l\n' | sort && find . -type f -exec sha256sum {} + | sort)
}
# same_as_before ROOT: ROOT's listing is the one in ROOT.before
same_as_before() { listing "$1" | diff "$1.before" -; }
export -f listing same_as_before

# --- (a) the first run, (b) the second ------------------------------------
new_host a
vars a "$TAP_TMP/a" "$GOOD"
play a
check "ansible: first run: the config installed, apply changed the boot, a reboot needed" \
	judge a 'rc == 0 and stats["failures"] == 0 and stats["changed"] >= 2 and
		status(INSTALL) == "changed" and status(APPLY) == "changed" and
		t(APPLY)["rc"] == 7 and j(APPLY)["result"] == "changed" and
		reboot_needed() is True and
		status("Reboot into the new kernel arguments and initramfs") == "skipped"'
check "ansible: first run: the config and the files apply writes are in the fake root" \
	bash -c '[ "$(cat a/etc/passthrough.conf)" = "$0" ] && [ "$(stat -c %a a/etc/passthrough.conf)" = 644 ] &&
		[ -s a/etc/modprobe.d/passthrough.conf ] && [ -s a/var/lib/passthrough/initramfs.conf ] &&
		[ -s a/var/lib/passthrough/applied ]' "${GOOD%$'\n'}"
check "ansible: first run: apply ran on the fake root, wrote what it says, ran no command" \
	judge a 'sorted(f["path"] for f in j(APPLY)["files"] if f["action"] == "written") ==
		["/etc/modprobe.d/passthrough.conf", "/var/lib/passthrough/applied", "/var/lib/passthrough/initramfs.conf"] and
		not any(c["ran"] for c in j(APPLY)["commands"]) and "--root" in t(APPLY)["cmd"]'
check "ansible: first run: the check-mode temporary copy was not made" \
	bash -c '[ -z "$(ls ansible/tmp)" ]'
listing a >a.before
play a
check "ansible: second run: nothing changed, no reboot needed" \
	judge a 'rc == 0 and stats["changed"] == 0 and stats["failures"] == 0 and
		status(INSTALL) == "ok" and status(APPLY) == "ok" and t(APPLY)["rc"] == 0 and
		reboot_needed() is False'
check "ansible: second run: the fake root as the first left it" same_as_before a

# --- (c) --check ----------------------------------------------------------
new_host c
vars c "$TAP_TMP/c" "$GOOD"
listing c >c.before
play c --check
check "ansible: --check on a fresh host: the change predicted, a reboot predicted" \
	judge c 'rc == 0 and stats["failures"] == 0 and stats["changed"] >= 2 and
		status(INSTALL) == "changed" and status(APPLY) == "changed" and t(APPLY)["rc"] == 7 and
		j(APPLY)["dry_run"] is True and "--dry-run" in t(APPLY)["cmd"] and
		"--config" in t(APPLY)["cmd"] and
		reboot_needed() is True'
check "ansible: --check on a fresh host: nothing written in the fake root" same_as_before c
check "ansible: --check: the temporary copy of the new config is removed" \
	bash -c '[ -z "$(ls ansible/tmp)" ]'
listing a >a.before
play a --check
check "ansible: --check after the apply: no change predicted" \
	judge a 'rc == 0 and stats["changed"] == 0 and status(APPLY) == "ok" and j(APPLY)["dry_run"] is True and
		reboot_needed() is False'
check "ansible: --check after the apply: the fake root unchanged" same_as_before a

# --- (d) refusals ---------------------------------------------------------
# a rule that selects nothing: copy's validate (apply --dry-run) refuses it
new_host d
vars d "$TAP_TMP/d" "$NOTHING"
listing d >d.before
play d
check "ansible: a config apply refuses: the install task fails, apply does not run" \
	judge d 'rc == 2 and stats["failures"] == 1 and status(INSTALL) == "failed" and
		t(INSTALL)["msg"] == "failed to validate" and status(APPLY) is None'
check "ansible: a config apply refuses: the failure shows check's finding" \
	judge d '"error[selects-nothing]" in t(INSTALL)["stderr"] and
		"the rule selects no device on this machine" in t(INSTALL)["stderr"] and
		"error[selects-nothing]" in out and "apply refused" in out'
check "ansible: a config apply refuses: the fake root unchanged (no config installed)" \
	bash -c '[ ! -e d/etc/passthrough.conf ] && same_as_before d'
play d --check
check "ansible: --check with a config apply refuses: the dry run fails with check's finding" \
	judge d 'rc == 2 and stats["failures"] == 1 and status(APPLY) == "failed" and t(APPLY)["rc"] == 1 and
		j(APPLY)["result"] == "refused" and "selects-nothing" in [f["code"] for f in j(APPLY)["findings"]] and
		"error[selects-nothing]" in t(APPLY)["stderr"] and "error[selects-nothing]" in out'
check "ansible: --check with a config apply refuses: nothing written, no temporary copy left" \
	bash -c 'same_as_before d && [ -z "$(ls ansible/tmp)" ]'

# The config already on the host (the play not given one), its device
# sharing its IOMMU group with the other NIC, as in test-host.sh.
new_host g
dev=$(readlink -f g/sys/bus/pci/devices/0000:02:00.0)
rm -f "$dev/iommu_group"
ln -s "$(realpath --relative-to="$dev" g/sys/kernel/iommu_groups/7)" "$dev/iommu_group"
printf '%s' "$GOOD" >g/etc/passthrough.conf
vars g "$TAP_TMP/g"
listing g >g.before
play g
check "ansible: an installed config apply refuses: the apply task fails with check's finding" \
	judge g 'rc == 2 and stats["failures"] == 1 and status(INSTALL) == "skipped" and
		status(APPLY) == "failed" and t(APPLY)["rc"] == 1 and j(APPLY)["result"] == "refused" and
		j(APPLY)["changed"] is False and "error[group-not-isolated]" in t(APPLY)["stderr"] and
		"IOMMU group 7 is not viable" in out and "error[group-not-isolated]" in out'
check "ansible: an installed config apply refuses: the fake root unchanged" same_as_before g

# --- (e) the IOMMU off ----------------------------------------------------
# An Intel CPU, a kernel without intel_iommu=on, so no IOMMU groups.
new_host e
rm -rf e/sys/kernel/iommu_groups
find e/sys/devices -name iommu_group -type l -delete
sed -i 's/AuthenticAMD/GenuineIntel/' e/proc/cpuinfo
echo "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet" >e/proc/cmdline
printf '%s' "$GOOD" >good.conf && chmod 0644 good.conf
check "the IOMMU off: check exits 1 on the config (error[iommu-argument]), apply --dry-run 0" \
	bash -c '"$0" --root e --config good.conf check >e.check; [ $? = 1 ] && grep -q "^error\[iommu-argument\]" e.check &&
		"$0" --root e --config good.conf apply --dry-run >/dev/null 2>&1' "$PT"
vars e "$TAP_TMP/e" "$GOOD"
play e
check "ansible: the IOMMU off: the config installed, apply's step 1 of 2, a reboot needed" \
	judge e 'rc == 0 and status(INSTALL) == "changed" and status(APPLY) == "changed" and
		j(APPLY)["step"].startswith("1 of 2") and j(APPLY)["kernel_arguments"]["after"] == ["intel_iommu=on", "iommu=pt"] and
		reboot_needed() is True'

# The README quotes the playbook's apply task: the same text, so what the
# README shows is what ran above.
check "README's Ansible block is the playbook's apply task, line for line" python3 -c '
import re, sys
readme, play = open(sys.argv[1]).read(), open(sys.argv[2]).read()
block = re.search(r"With Ansible:.*?```yaml\n(.*?)```", readme, re.S).group(1)
assert block.strip() and block in play, block
' "$TOP/README.md" "$PLAYBOOK"
tap_end
exit $((TAP_FAILED > 0))
