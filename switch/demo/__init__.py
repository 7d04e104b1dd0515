"""The narrated demonstration `switch demo` plays through a live hub."""
