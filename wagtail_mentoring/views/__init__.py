"""Request handling for the public pages; thin callers of the core modules."""
