"""Switch: a simulated Nlets-style message switch."""
