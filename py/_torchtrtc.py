"""The torchtrtc console command: runs the packaged torchtrtc binary. A top-level module so that starting the command
imports neither torch nor torch_tensorrt (2 s of a CLI call's start; the binary links libtorch and needs only the
folders, which importlib finds without running the packages)."""
import importlib.util
import os
import sys


def _package_dir(name: str) -> str:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        hint = "pip install torch" if name == "torch" else "reinstall torch_tensorrt"
        sys.exit(f"torchtrtc: the Python package '{name}' is not installed in this environment ({hint})")
    return os.path.dirname(spec.origin)


def main() -> None:
    exe = os.path.join(_package_dir("torch_tensorrt"), "bin", "torchtrtc")
    env = dict(os.environ)
    torch_lib = os.path.join(_package_dir("torch"), "lib")
    env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [torch_lib, env.get("LD_LIBRARY_PATH")]))
    os.execve(exe, [exe] + sys.argv[1:], env)


if __name__ == "__main__":
    main()
