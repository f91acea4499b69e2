"""Builds the native libraries with CMake and packages them with the Python sources.

`pip install .`, `pip wheel .`, `python -m build` and `pip install --no-build-isolation .` all work;
the build uses the torch installed in the Python environment that runs it. The environment
variables that steer the build are listed in docs/install.md.
"""
import glob
import os
import shutil
import subprocess
import sys

from setuptools import Distribution, find_packages, setup
from setuptools.command.build_py import build_py

ROOT = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.join(ROOT, "py", "torch_tensorrt")
TARGETS = ["torchtrt", "torchtrt_runtime", "torchtrt_python", "torchtrtc", "torchtrt_headers"]


def torch_version() -> str:
    """The installed torch's version, or a clear exit when there is none (the build needs libtorch)."""
    try:
        import torch
    except ImportError as e:
        raise SystemExit(
            f"error: torch_tensorrt builds against the installed torch (libtorch headers and libraries), but "
            f"`import torch` fails in {sys.executable} ({e}). Install torch first (`pip install -r requirements.txt`) "
            f"and build with --no-build-isolation, or build without that flag so pip installs the torch that "
            f"pyproject.toml names.")
    return torch.__version__.split("+")[0]


def torch_requirement(version: str) -> str:
    """libtorch has no stable C++ ABI across minor releases: the wheel needs the minor it was built with."""
    major, minor = version.split(".")[:2]
    return f"torch>={major}.{minor},<{major}.{int(minor) + 1}"


def configure_command(build_dir: str, env: dict, fresh: bool) -> list:
    """The CMake configure line of a package build. Tests are off in a new build folder (a package
    needs no GoogleTest) unless TORCHTRT_TESTS says otherwise; an existing folder keeps its choice."""
    cmd = ["cmake", "-S", ROOT, "-B", build_dir, f"-DPython3_EXECUTABLE={sys.executable}"]
    if fresh and shutil.which("ninja"):
        cmd += ["-G", "Ninja"]
    tests = env.get("TORCHTRT_TESTS") or ("OFF" if fresh else None)
    if tests:
        cmd.append(f"-DTORCHTRT_TESTS={tests}")
    for var in ("TORCHTRT_CUDA", "TORCHTRT_CUDA_ARCHS", "TORCHTRT_CUDNN", "TORCHTRT_CUTLASS"):
        if env.get(var):
            cmd.append(f"-D{var}={env[var]}")
    if env.get("CMAKE_BUILD_TYPE"):
        cmd.append(f"-DCMAKE_BUILD_TYPE={env['CMAKE_BUILD_TYPE']}")
    return cmd


def build_native() -> None:
    torch_version()
    if not shutil.which("cmake"):
        raise SystemExit("error: cmake (>= 3.22) is needed to build torch_tensorrt: apt-get install cmake, or "
                         "pip install cmake")
    build_dir = os.environ.get("TORCHTRT_BUILD_DIR", os.path.join(ROOT, "build"))
    fresh = not os.path.exists(os.path.join(build_dir, "CMakeCache.txt"))
    os.makedirs(build_dir, exist_ok=True)
    subprocess.check_call(configure_command(build_dir, os.environ, fresh))
    jobs = os.environ.get("TORCHTRT_JOBS", str(os.cpu_count() or 2))
    subprocess.check_call(["cmake", "--build", build_dir, "--parallel", jobs, "--target", *TARGETS])
    # `cmake --install` lays out lib/, bin/, include/ and _C*.so as the package has them and gives
    # each binary its $ORIGIN-relative install rpath (no build-folder paths stay in the package).
    for d in ("lib", "bin", "include"):
        shutil.rmtree(os.path.join(PKG, d), ignore_errors=True)
    for ext in glob.glob(os.path.join(PKG, "_C*.so")):
        os.remove(ext)
    subprocess.check_call(["cmake", "--install", build_dir, "--prefix", PKG])


class BuildWithNative(build_py):
    def run(self) -> None:
        if not os.environ.get("TORCHTRT_SKIP_NATIVE"):
            build_native()
        missing = [p for p in ("lib/libtorchtrt.so", "lib/libtorchtrt_runtime.so", "bin/torchtrtc")
                   if not os.path.exists(os.path.join(PKG, p))] + ([] if glob.glob(os.path.join(PKG, "_C*.so"))
                                                                   else ["_C*.so"])
        if missing:
            raise SystemExit(f"error: the package lacks its native parts {missing} in {PKG}; build without "
                             f"TORCHTRT_SKIP_NATIVE")
        super().run()


class BinaryDistribution(Distribution):
    """The package holds a CPython extension and shared libraries: the wheel is platform-specific
    (cpXY-cpXY-linux_x86_64, Root-Is-Purelib: false), not py3-none-any."""

    def has_ext_modules(self) -> bool:
        return True


def install_requires() -> list:
    try:
        import torch
    except ImportError:
        return ["torch"]  # metadata only (egg_info without torch); build_native refuses to build
    return [torch_requirement(torch.__version__.split("+")[0])]


if __name__ == "__main__":
    setup(
        name="torch_tensorrt",
        version="0.1.0",
        description="Ahead-of-time compiler from TorchScript to optimized inference engines",
        packages=find_packages(where="py", include=["torch_tensorrt", "torch_tensorrt.*"]),
        package_dir={"": "py"},
        py_modules=["_torchtrtc"],  # the torchtrtc command's launcher (starts without importing torch)
        package_data={"torch_tensorrt": ["_C*.so", "lib/*.so", "bin/torchtrtc", "include/**/*.h",
                                         "include/*/*/*/*.h", "include/*/*/*/*/*.h"]},
        include_package_data=True,
        entry_points={"console_scripts": ["torchtrtc=_torchtrtc:main"]},
        cmdclass={"build_py": BuildWithNative},
        distclass=BinaryDistribution,
        python_requires=">=3.9",
        install_requires=install_requires(),
        zip_safe=False,
    )
