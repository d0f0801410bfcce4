"""What every probe shares to talk to the network and read what comes back: the URL gate, the session
factory, the reachability check, the forgiving HTML reader and the soft-404 page shape."""
