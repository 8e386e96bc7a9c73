"""A moto server on 127.0.0.1, run as its own process by tests/emulator.py.

Prints the port it bound (port 0: the OS picks a free one), then serves until its
standard input closes. One shim makes moto behave as AWS does where Terraform's
second plan depends on it, and AWS managed policies are loaded (as they exist in every
account: the job role attaches service-role/AWSGlueServiceRole); see README "Testing" for
them and for moto's other limits.
"""

from __future__ import annotations

import os
import sys

from moto.glue import models as glue_models
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.utilities.utils import get_partition

_create_workflow = glue_models.GlueBackend.create_workflow


def create_workflow(self, name, default_run_properties, description, max_concurrent_runs, tags):
    """AWS tags a workflow created with Tags; moto 5.2 stores them but GetTags does not
    see them, so every plan after apply would show the tags as added."""
    result = _create_workflow(self, name, default_run_properties, description, max_concurrent_runs, tags)
    if tags:
        arn = f"arn:{get_partition(self.region_name)}:glue:{self.region_name}:{self.account_id}:workflow/{name}"
        self.tag_resource(arn, tags)
    return result


glue_models.GlueBackend.create_workflow = create_workflow


def main() -> None:
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"  # moto's own setting, read when IAM first answers
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    print(server.get_host_and_port()[1], flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
