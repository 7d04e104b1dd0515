"""Store and forward: service marks, the backlog, the forwarder, hub instances and their leases."""
