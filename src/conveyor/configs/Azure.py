"""Microsoft Azure: HTEX on AzureProvider VMs, with HTTP, FTP and rsync staging."""

import getpass

from conveyor.addresses import address_by_query
from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
AzureProvider = parsl_name("parsl.providers", "AzureProvider")
HTTPInTaskStaging = parsl_name("parsl.data_provider.http", "HTTPInTaskStaging")
FTPInTaskStaging = parsl_name("parsl.data_provider.ftp", "FTPInTaskStaging")
RSyncStaging = parsl_name("parsl.data_provider.rsync", "RSyncStaging")

#: fill in every field for your VM image
vm_reference = {
    "admin_username": "YOUR_ADMIN_USERNAME_FOR_INSTANCE",
    "password": "YOUR_PASSWORD_FOR_INSTANCE",
    "vm_size": "YOUR_VM_SIZE",
    "disk_size_gb": "YOUR_VM_DISK_SIZE",
    "publisher": "YOUR_IMAGE_PUBLISHER",
    "offer": "YOUR_VM_OS_OFFER",
    "sku": "YOUR_VM_OS_SKU",
    "version": "YOUR_VM_OS_VERSION",
}

config = Config(
    executors=[
        HighThroughputExecutor(
            label="azure_single_node",
            provider=AzureProvider(vm_reference=vm_reference, key_file="azure_key_file.json"),
            storage_access=[
                HTTPInTaskStaging(),
                FTPInTaskStaging(),
                RSyncStaging(getpass.getuser() + "@" + address_by_query()),
            ],
        )
    ],
    usage_tracking=LEVEL_1,
)
