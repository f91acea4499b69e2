"""Console entry point that runs the packaged torchtrtc binary."""
import os
import sys

import torch


def main() -> None:
    exe = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "torchtrtc")
    env = dict(os.environ)
    torch_lib = os.path.join(os.path.dirname(torch.__file__), "lib")
    env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [torch_lib, env.get("LD_LIBRARY_PATH")]))
    os.execve(exe, [exe] + sys.argv[1:], env)


if __name__ == "__main__":
    main()
