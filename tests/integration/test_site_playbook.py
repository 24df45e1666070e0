# -*- coding: utf-8 -*-
# Copyright (c) datacenter.ve contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""playbooks/site.yml run as AWX runs a job: ``ansible-runner run`` on a private data directory.

The directory is laid out as AWX lays out a job's: the project (the playbooks directory) in ``project/``,
the inventory sources in ``inventory/`` (the lab's nodes.yml, then the fleet inventory file), the
credentials as environment variables in ``env/envvars`` (``VMWARE_*`` as AWX's VMware credential injects
them), extra variables in ``env/extravars``. The job runs twice against the lab (``fleet`` fixture): the first
creates and configures the DNS container, the LDAP zone, the mail container and the VM; the second must
change nothing. The job's events are read from the artifacts ansible-runner writes, and the services are then
asked from outside the VEs with tests/lab/demo-summary (what ``make demo`` prints).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from ansible_collections.datacenter.ve.tests.integration.lab_fleet import COLLECTION_ROOT, LAB, lab_module

pytestmark = pytest.mark.xdist_group('lab')

BIN = os.path.dirname(sys.executable)
COLLECTIONS = os.path.dirname(os.path.dirname(os.path.dirname(COLLECTION_ROOT)))
PLAYBOOKS = os.path.join(COLLECTION_ROOT, 'playbooks')
SERVICE_VES = {'ns1', 'ldap1', 'mail1'}


@pytest.fixture(scope='module')
def job_dir(fleet, tmp_path_factory):
    """The private data directory of the job (AWX's layout)."""
    private = tmp_path_factory.mktemp('runner')
    shutil.copytree(PLAYBOOKS, str(private / 'project'))
    (private / 'inventory').mkdir()
    shutil.copy(os.path.join(fleet.state, 'nodes.yml'), str(private / 'inventory' / '10-nodes.yml'))
    shutil.copy(os.path.join(PLAYBOOKS, 'inventory', 'site.fleet.yml'), str(private / 'inventory' / '20-site.fleet.yml'))
    (private / 'env').mkdir()
    envvars = dict(lab_module('lab').client_environment(fleet.state), ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
                   ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0')
    assert 'VMWARE_PASSWORD' in envvars, 'the lab vCenter is not running'
    (private / 'env' / 'envvars').write_text(yaml.safe_dump(envvars))
    extravars = {'site_secrets_dir': os.path.join(fleet.state, 'site-secrets')}
    (private / 'env' / 'extravars').write_text(yaml.safe_dump(extravars))
    return private


def run_job(job_dir, ident, *options):
    """``ansible-runner run DIR -p site.yml --ident IDENT``, with ``options`` for ansible-playbook in env/cmdline
    (as AWX writes them; ansible-runner's own --cmdline would stay in that file for later jobs)
    -> (process, artifact dir, events in order)."""
    cmdline = job_dir / 'env' / 'cmdline'
    if options:
        cmdline.write_text(' '.join(options))
    elif cmdline.exists():
        cmdline.unlink()
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
    proc = subprocess.run([os.path.join(BIN, 'ansible-runner'), 'run', str(job_dir), '-p', 'site.yml',
                           '--ident', ident], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False, timeout=1800)
    command = json.loads((job_dir / 'artifacts' / ident / 'command').read_text())['command']
    assert all(option in command for option in options), command
    artifacts = job_dir / 'artifacts' / ident
    assert artifacts.is_dir(), proc.stdout[-4000:]
    events = []
    for path in glob.glob(str(artifacts / 'job_events' / '*.json')):
        with open(path) as handle:
            events.append(json.load(handle))
    events.sort(key=lambda event: event['counter'])
    return proc, artifacts, events


def stats(events):
    final = [e for e in events if e['event'] == 'playbook_on_stats']
    assert len(final) == 1, [e['event'] for e in events][-20:]
    return final[0]['event_data']


def task_results(events, task, kind='runner_on_ok'):
    return {e['event_data']['host']: e['event_data'].get('res', {}) for e in events
            if e['event'] == kind and e['event_data'].get('task') == task}


@pytest.fixture(scope='module')
def check_job(job_dir):
    """``--check --diff`` before anything exists."""
    return run_job(job_dir, 'check-first', '--check', '--diff')


@pytest.fixture(scope='module')
def first_job(job_dir, check_job):
    return run_job(job_dir, 'first')


def test_check_mode_first_predicts_the_ves_and_makes_nothing(check_job, fleet):
    proc, artifacts, events = check_job
    assert (artifacts / 'status').read_text().strip() == 'successful', proc.stdout[-6000:]
    summary = stats(events)
    assert not summary['failures'] and not summary['dark']
    assert 'localhost' in summary['changed']
    # The modules predicted each creation, with the diff of the VE to be ...
    created = [e['event_data'] for e in events if e['event'] == 'runner_on_ok'
               and e['event_data']['res'].get('changed') and e['event_data']['task_action'].startswith('datacenter.ve.')]
    assert sorted(e['task_action'] for e in created) == ['datacenter.ve.openvz_ve', 'datacenter.ve.solaris_zone',
                                                         'datacenter.ve.virtuozzo_ve', 'datacenter.ve.vmware_vm']
    assert all(e['res'].get('diff') for e in created), created
    # ... the service plays left them out, saying why, ...
    skipped = task_results(events, 'Say why nothing inside is checked')
    assert set(skipped) == SERVICE_VES, skipped
    # ... and nothing was made.
    assert '153' not in fleet.ssh('node1', 'vzlist -H -o ctid -a').stdout.split()
    assert 'ldap1' not in fleet.ssh('node3', 'zoneadm list -c').stdout.split()
    assert 'mail1' not in fleet.ssh('node2', 'prlctl list -a -o name').stdout.split()


def test_first_job_creates_and_configures_every_ve(first_job, fleet):
    proc, artifacts, events = first_job
    assert (artifacts / 'status').read_text().strip() == 'successful', proc.stdout[-6000:]
    assert (artifacts / 'rc').read_text().strip() == '0'
    assert not [e for e in events if e['event'] in ('runner_on_failed', 'runner_on_unreachable')
                and not e['event_data'].get('ignore_errors')]
    plays = [e['event_data']['play'] for e in events if e['event'] == 'playbook_on_play_start']
    assert plays[0] == 'Provision the service VEs on their nodes and the VM in the vCenter'
    assert len(plays) == 6, plays
    summary = stats(events)
    assert not summary['failures'] and not summary['dark']
    # Each service VE was configured inside (its role changed it) ...
    assert SERVICE_VES <= set(summary['changed']), summary['changed']
    # ... and the fleet inventory, read again at the end, reached inside each through its node.
    inside = task_results(events, "Read the VE's operating system")
    assert SERVICE_VES <= set(inside), sorted(inside)
    assert all(inside[name]['stdout'].startswith('Debian GNU/Linux 12') for name in SERVICE_VES), inside
    # The VEs are where site.yml put them, as their own tools list them.
    assert '153' in fleet.ssh('node1', 'vzlist -H -o ctid -a').stdout.split()
    assert 'running' in fleet.ssh('node3', 'zoneadm -z ldap1 list -p').stdout
    assert 'mail1' in fleet.ssh('node2', 'prlctl list -a -o name').stdout.split()


def test_no_secret_in_the_jobs_output(first_job, fleet, job_dir):
    """The LDAP administrator's password (made by the playbook) is in no artifact; the vCenter password (the
    job's credential) is in none that the job's output makes: stdout and events. ansible-runner itself keeps
    the environment it was given in artifacts/<ident>/command (mode 0600), as it keeps env/envvars."""
    _proc, artifacts, _events = first_job
    with open(os.path.join(fleet.state, 'site-secrets', 'ldap-admin')) as handle:
        ldap_password = handle.readline().split(' ')[0].strip()
    vcenter_password = yaml.safe_load((job_dir / 'env' / 'envvars').read_text())['VMWARE_PASSWORD']
    assert len(ldap_password) == 24 and vcenter_password
    files = [path for path in glob.glob(str(artifacts / '**'), recursive=True) if os.path.isfile(path)]
    assert os.path.join(str(artifacts), 'stdout') in files and len(files) > 100
    for path in files:
        with open(path, errors='replace') as handle:
            text = handle.read()
        assert ldap_password not in text, path
        if os.path.basename(path) != 'command':
            assert vcenter_password not in text, path


def test_services_answer_from_outside_their_ves(first_job, fleet):
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get('PATH', ''), ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
               **lab_module('lab').client_environment(fleet.state))
    proc = subprocess.run([sys.executable, os.path.join(LAB, 'demo-summary'), '--state', fleet.state], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout
    assert 'status: REFUSED' in proc.stdout
    assert 'dn: uid=bob,ou=people,dc=campus,dc=example' in proc.stdout
    assert 'Subject: make demo ' in proc.stdout


def test_second_job_changes_nothing(first_job, job_dir):
    proc, artifacts, events = run_job(job_dir, 'second')
    assert (artifacts / 'status').read_text().strip() == 'successful', proc.stdout[-6000:]
    summary = stats(events)
    assert not summary['failures'] and not summary['dark']
    assert not summary['changed'], summary['changed']
    assert SERVICE_VES <= set(summary['ok'])


def test_check_mode_after_converging_predicts_no_change(first_job, job_dir):
    proc, artifacts, events = run_job(job_dir, 'check-again', '--check', '--diff')
    assert (artifacts / 'status').read_text().strip() == 'successful', proc.stdout[-6000:]
    summary = stats(events)
    assert not summary['failures'] and not summary['dark']
    assert not summary['changed'], summary['changed']
    # The roles ran inside every service VE under --check (nothing was left out).
    assert SERVICE_VES <= set(summary['ok'])
    assert not task_results(events, 'Say why nothing inside is checked')
