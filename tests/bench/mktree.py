#!/usr/bin/env python3
"""Builds a fake sysfs/proc tree of N PCI functions for the benchmarks, in
the kernel's layout (devices under /sys/devices, links in /sys/bus/pci,
iommu_groups, drivers, uevent, a 64-byte config space), so passthrough, lspci
(-A linux-sysfs -O sysfs.path=...) and the guides' shell loops all read it.

Shape: a host bridge, then N-1 SR-IOV-like functions: 8 per slot, 32 slots
per bus, an IOMMU group per function, NICs (8086:10ed) with every 64th
function a USB controller with one bus and one device behind it.
Usage: mktree.py N DIR
"""
import os
import struct
import sys

n, root = int(sys.argv[1]), sys.argv[2]
sysfs = os.path.join(root, "sys")
devices = os.path.join(sysfs, "devices", "pci0000:00")
os.makedirs(os.path.join(sysfs, "bus", "pci", "devices"))
os.makedirs(os.path.join(sysfs, "bus", "usb", "devices"))
os.makedirs(os.path.join(root, "proc"))
for drv in ("ixgbevf", "xhci_hcd"):
    os.makedirs(os.path.join(sysfs, "bus", "pci", "drivers", drv))


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def link(target, name):
    os.symlink(os.path.relpath(target, os.path.dirname(name)), name)


usb_bus = 0
for i in range(n):
    if i == 0:
        bus, slot, fn = 0, 0, 0
        vendor, device, cls, driver = 0x8086, 0x29C0, 0x060000, None
    else:
        j = i - 1
        bus, slot, fn = 1 + j // 256, (j // 8) % 32, j % 8
        if j % 64 == 63:
            vendor, device, cls, driver = 0x1B36, 0x000D, 0x0C0330, "xhci_hcd"
        else:
            vendor, device, cls, driver = 0x8086, 0x10ED, 0x020000, "ixgbevf"
    bdf = "0000:%02x:%02x.%d" % (bus, slot, fn)
    d = os.path.join(devices, bdf)
    os.makedirs(d)
    for attr, value in (("vendor", "0x%04x" % vendor), ("device", "0x%04x" % device),
                        ("subsystem_vendor", "0x8086"), ("subsystem_device", "0x0000"),
                        ("class", "0x%06x" % cls), ("driver_override", "(null)"),
                        ("boot_vga", "0"), ("reset_method", "flr"), ("irq", "0"),
                        ("modalias", "pci:v%08Xd%08Xsv00008086sd00000000bc%02Xsc%02Xi%02X"
                         % (vendor, device, cls >> 16, (cls >> 8) & 0xFF, cls & 0xFF))):
        write(os.path.join(d, attr), value + "\n")
    # as the kernel writes it (dev_uevent, then pci_uevent)
    write(os.path.join(d, "uevent"),
          ("DRIVER=%s\n" % driver if driver else "") +
          "PCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=8086:0000\nPCI_SLOT_NAME=%s\n"
          "MODALIAS=pci:v%08Xd%08Xsv00008086sd00000000bc%02Xsc%02Xi%02X\n"
          % (cls, vendor, device, bdf, vendor, device, cls >> 16, (cls >> 8) & 0xFF, cls & 0xFF))
    config = struct.pack("<HHHHBBBBBBBB", vendor, device, 0, 0, 0, cls & 0xFF,
                         (cls >> 8) & 0xFF, cls >> 16, 0, 0, 0, 0) + bytes(48)
    with open(os.path.join(d, "config"), "wb") as f:
        f.write(config)
    write(os.path.join(d, "resource"), "")
    group = os.path.join(sysfs, "kernel", "iommu_groups", str(i), "devices")
    os.makedirs(group)
    link(os.path.join(sysfs, "kernel", "iommu_groups", str(i)), os.path.join(d, "iommu_group"))
    link(d, os.path.join(group, bdf))
    if driver:
        link(os.path.join(sysfs, "bus", "pci", "drivers", driver), os.path.join(d, "driver"))
    link(d, os.path.join(sysfs, "bus", "pci", "devices", bdf))
    if cls == 0x0C0330:
        usb_bus += 1
        hub = os.path.join(d, "usb%d" % usb_bus)
        dev = os.path.join(hub, "%d-1" % usb_bus)
        os.makedirs(dev)
        for path, num in ((hub, 1), (dev, 2)):
            write(os.path.join(path, "busnum"), "%d\n" % usb_bus)
            write(os.path.join(path, "devnum"), "%d\n" % num)
        write(os.path.join(dev, "idVendor"), "046d\n")
        write(os.path.join(dev, "idProduct"), "c52b\n")
        write(os.path.join(dev, "product"), "USB Receiver\n")
        link(hub, os.path.join(sysfs, "bus", "usb", "devices", "usb%d" % usb_bus))
        link(dev, os.path.join(sysfs, "bus", "usb", "devices", "%d-1" % usb_bus))
write(os.path.join(root, "proc", "cpuinfo"), "vendor_id\t: GenuineIntel\n")
write(os.path.join(root, "proc", "interrupts"), "  24: 0 IR-PCI-MSI 1-edge\n")
write(os.path.join(root, "proc", "cmdline"), "ro quiet\n")
