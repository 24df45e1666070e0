# datacenter.ve — the two commands: `make demo` and `make test`.
# Each does all of its own set-up on a fresh Debian/Ubuntu machine (as root):
# a virtualenv in .venv with the pinned tools of requirements-dev.txt, and the
# collection made importable from this checkout.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
# The checkout, reachable as ansible_collections/datacenter/ve (a symlink, so
# ansible-doc, ansible-playbook, ansible-lint and pytest see the live tree).
COLLECTIONS := $(VENV)/collections
LINK := $(COLLECTIONS)/ansible_collections/datacenter/ve
# ansible-test insists that the *real* path ends in ansible_collections/datacenter/ve,
# and CI clones the project under another name: it gets a copy, refreshed each run.
BUILD := $(CURDIR)/.build
TREE := $(BUILD)/tree/ansible_collections/datacenter/ve
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_NOCOLOR := 1
export NO_COLOR := 1
export PY_COLORS := 0

.PHONY: test demo venv lab-deps lab-up lab-down lab-status vcsim sanity units integration pytest lint changelog-lint tree build bench bench-vmware bench-connection bench-fleet clean

venv: $(VENV)/.installed $(LINK)

$(VENV)/.installed: requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

$(LINK):
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

# Debian packages the lab needs: busybox-static makes the placeholder OS
# template of the simulators' state-only tests; debootstrap the real Debian 12
# template, openssh-server the hardware nodes' sshd, util-linux (unshare,
# nsenter) and iproute2 the containers; Go and govmomi's simulator package
# build the lab's vCenter (tests/lab/vcsim).
LAB_PACKAGES := busybox-static debootstrap openssh-server openssh-client util-linux iproute2 golang-go golang-github-vmware-govmomi-dev \
  bind9-dnsutils ldap-utils openssl
lab-deps:
	if ! dpkg -s $(LAB_PACKAGES) >/dev/null 2>&1; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q $(LAB_PACKAGES) || { apt-get update -q && apt-get install -y -q $(LAB_PACKAGES); }; \
	fi

# The whole lab (root): network, Debian template (built once, cached in
# /var/cache/datacenter-ve-lab), 3 hardware nodes over SSH, the lab vCenter.
# LAB_NODES=N for more nodes. State and client files in tests/lab/.state.
LAB_NODES ?= 3
lab-up: venv lab-deps vcsim
	$(BIN)/python tests/lab/labctl up --nodes $(LAB_NODES)

lab-down: venv
	$(BIN)/python tests/lab/labctl down

lab-status: venv
	$(BIN)/python tests/lab/labctl status

# The lab's vCenter simulator, built once into tests/lab/.cache/vcsim (not committed).
vcsim: venv lab-deps
	$(BIN)/python tests/lab/labctl vcsim build

tree: venv
	rm -rf $(BUILD)/tree
	mkdir -p $(TREE)
	tar -C $(CURDIR) -c --exclude=./.venv --exclude=./.build --exclude=./.git \
	    --exclude=./tests/output --exclude=./tests/lab/.state --exclude=./tests/lab/.cache \
	    --exclude='__pycache__' --exclude=.pytest_cache --exclude=.hypothesis . | tar -C $(TREE) -x
	# ansible-test lists a collection's files with git when it is in a repository.
	cd $(TREE) && git init -q && git add -A

# ansible-test --venv bootstraps pip in each venv from a script it downloads
# from a host this workplace cannot reach; the shared tool puts a cached stand-in
# in place. Machines with full internet do not have the tool and do not need it.
# It is looked for beside the checkout, then at the workplace's fixed place.
OFFLINE_TOOL ?= $(firstword $(wildcard $(CURDIR)/../shared/tools/ansible-test-offline /work/shared/tools/ansible-test-offline))

sanity: tree
	$(if $(OFFLINE_TOOL),$(OFFLINE_TOOL),@echo "no ansible-test-offline here: ansible-test downloads its pip bootstrap")
	cd $(TREE) && $(BIN)/ansible-test sanity --venv --python 3.11 --color no

# importlib mode: test files in different folders may share a base name (unit vs integration).
PYTEST := cd $(LINK) && $(BIN)/python -m pytest -p no:cacheprovider --import-mode=importlib

units: venv
	$(PYTEST) tests/unit

integration: venv lab-deps vcsim
	$(PYTEST) tests/integration

# Unit and integration suites in one run, so one summary line ends `make test`;
# two workers (each test has its own lab node, each worker its own lab vCenter);
# test modules marked xdist_group("lab") share the one lab bridge and take turns (a lock in tests/integration/conftest.py).
PYTEST_WORKERS ?= 2
pytest: venv lab-deps vcsim
	$(PYTEST) -n $(PYTEST_WORKERS) tests/unit tests/integration

lint: venv
	$(BIN)/ansible-lint --offline --profile production playbooks roles tests/molecule

changelog-lint: venv
	$(BIN)/antsibull-changelog lint

# pytest runs last so that its summary line ends the output.
test: sanity lint changelog-lint pytest

build: venv
	rm -rf $(BUILD)/dist && mkdir -p $(BUILD)/dist
	$(BIN)/ansible-galaxy collection build --output-path $(BUILD)/dist $(CURDIR)

# Collections we compare ourselves with, from the `ansible` package on PyPI
# (no Galaxy here), unpacked into a collections path used only by benchmarks:
# community.general and community.vmware (5.10.0 in ansible 12.3.0). The stamp
# names what was unpacked, so adding a collection here unpacks again.
COMPARE_ANSIBLE := ansible==12.3.0
COMPARE_TAKEN := community/general community/vmware
COMPARE := $(BUILD)/compare-collections
empty :=
space := $(empty) $(empty)
COMPARE_DONE := $(COMPARE)/.done-$(subst /,.,$(subst $(space),_,$(strip $(COMPARE_TAKEN))))
$(COMPARE_DONE): | venv
	rm -rf $(BUILD)/compare-dl $(COMPARE) && mkdir -p $(BUILD)/compare-dl $(COMPARE)
	$(BIN)/pip download --quiet --no-deps -d $(BUILD)/compare-dl '$(COMPARE_ANSIBLE)'
	$(BIN)/python -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); \
	  taken = tuple("ansible_collections/%s/" % c for c in sys.argv[3:]); \
	  z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith(taken)])' \
	  $(BUILD)/compare-dl/ansible-*.whl $(COMPARE) $(COMPARE_TAKEN)
	touch $@

# Figures, not assertions: CLI calls per task and playbook wall times against
# the simulators, side by side with the alternatives.
bench: venv lab-deps $(COMPARE_DONE)
	$(BIN)/python tests/bench/openvz_bench.py
	COMPARE_COLLECTIONS=$(COMPARE) $(BIN)/python tests/bench/zones_compare.py

# vmware_vm_info beside community.vmware.vmware_vm_info and a one-call pyVmomi
# script against the lab vCenter with 100, 1,000 and 5,000 VMs: median wall
# time of 3 runs and SOAP calls (minutes; BENCH_VMWARE_ARGS='--sizes 100,1000').
BENCH_VMWARE_ARGS ?=
bench-vmware: venv vcsim $(COMPARE_DONE)
	COMPARE_COLLECTIONS=$(COMPARE) $(BIN)/python tests/bench/vmware_bench.py $(BENCH_VMWARE_ARGS)

# The vzctl connection plugin beside plain SSH into the same VE (sshd installed
# in it), in a lab of its own (root; waits for the tests' lab lock, refuses while
# `make lab-up`'s lab is up): per-task time of 50 command tasks and a 100 MB copy,
# medians of 3 runs, ratios against the targets (BENCH_CONNECTION_ARGS='--runs 5').
BENCH_CONNECTION_ARGS ?=
bench-connection: venv lab-deps
	$(BIN)/python tests/bench/connection_bench.py $(BENCH_CONNECTION_ARGS)

# The fleet inventory plugin (ansible-inventory and in-process; cold, with SSH
# connections kept, with a warm cache) beside sequential plain ssh per node, on
# 50 OpenVZ/Virtuozzo nodes x 100 state-only VEs in a lab of its own, and beside
# a minimal pyVmomi script on a lab vCenter of 5,000 VMs: medians of 3 runs and
# ratios (root; waits for the tests' lab lock, refuses while `make lab-up`'s lab
# is up; BENCH_FLEET_ARGS='--nodes 10 --ves 50 --skip-vmware').
BENCH_FLEET_ARGS ?=
bench-fleet: venv lab-deps vcsim
	$(BIN)/python tests/bench/fleet_bench.py $(BENCH_FLEET_ARGS)

# The consolidation demo, the main job: the lab up (as `make lab-up`), the built tarball installed into a
# fresh collections path, playbooks/site.yml run against the lab's nodes and vCenter with the fleet inventory
# (a DNS container on the OpenVZ node, an LDAP zone on the zones node, a mail container on the Virtuozzo
# node, a VM in the vCenter), then a summary asked with real clients from outside the VEs (tests/lab/demo-summary:
# dig, ldapsearch, SMTP and the mailbox, ansible-inventory --graph). The lab stays up; `make lab-down`.
DEMO_COLLECTIONS := $(BUILD)/demo-collections
LAB_STATE := $(CURDIR)/tests/lab/.state
DEMO_ENV := ANSIBLE_COLLECTIONS_PATH=$(DEMO_COLLECTIONS) ANSIBLE_INVENTORY_UNPARSED_WARNING=0
demo: build lab-up
	rm -rf $(DEMO_COLLECTIONS)
	$(DEMO_ENV) $(BIN)/ansible-galaxy collection install --offline --force -p $(DEMO_COLLECTIONS) $(BUILD)/dist/datacenter-ve-*.tar.gz
	$(DEMO_ENV) $(BIN)/python tests/lab/labctl run -- $(BIN)/ansible-playbook datacenter.ve.site \
	  -i $(LAB_STATE)/nodes.yml -i $(DEMO_COLLECTIONS)/ansible_collections/datacenter/ve/playbooks/inventory/site.fleet.yml \
	  -e site_secrets_dir=$(LAB_STATE)/site-secrets
	$(DEMO_ENV) $(BIN)/python tests/lab/labctl run -- $(BIN)/python tests/lab/demo-summary

clean:
	rm -rf $(BUILD) tests/output
