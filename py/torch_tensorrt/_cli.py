"""`python -m torch_tensorrt._cli`: the torchtrtc command (the console script runs the top-level _torchtrtc module,
which starts without importing torch)."""
from _torchtrtc import main

if __name__ == "__main__":
    main()
