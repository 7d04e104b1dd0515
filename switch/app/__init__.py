"""The parts wired into one running switch."""
