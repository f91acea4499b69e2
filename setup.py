"""Builds the native libraries with CMake and packages them with the Python sources.

`python3 setup.py install` and `pip install --no-build-isolation .` both work; the build uses
the torch installed in the running Python environment.
"""
import glob
import os
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.join(ROOT, "py", "torch_tensorrt")


def build_native() -> None:
    build_dir = os.environ.get("TORCHTRT_BUILD_DIR", os.path.join(ROOT, "build"))
    os.makedirs(build_dir, exist_ok=True)
    configure = ["cmake", "-S", ROOT, "-B", build_dir, f"-DPython3_EXECUTABLE={sys.executable}", "-DTORCHTRT_TESTS=ON"]
    if shutil.which("ninja"):
        configure += ["-G", "Ninja"] if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")) else []
    if os.environ.get("TORCHTRT_CUDA"):
        configure.append(f"-DTORCHTRT_CUDA={os.environ['TORCHTRT_CUDA']}")
    subprocess.check_call(configure)
    jobs = os.environ.get("TORCHTRT_JOBS", str(os.cpu_count() or 2))
    subprocess.check_call(["cmake", "--build", build_dir, "--parallel", jobs,
                           "--target", "torchtrt", "torchtrt_runtime", "torchtrt_python", "torchtrtc", "torchtrt_headers"])
    lib_dir = os.path.join(PKG, "lib")
    bin_dir = os.path.join(PKG, "bin")
    inc_dir = os.path.join(PKG, "include")
    for d in (lib_dir, bin_dir, inc_dir):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    for name in ("libtorchtrt.so", "libtorchtrt_runtime.so"):
        shutil.copy2(os.path.join(build_dir, "core", name), lib_dir)
    for ext in glob.glob(os.path.join(PKG, "_C*.so")):
        os.remove(ext)
    for ext in glob.glob(os.path.join(build_dir, "py", "_C*.so")):
        shutil.copy2(ext, PKG)
    shutil.copy2(os.path.join(build_dir, "cli", "torchtrtc"), bin_dir)
    shutil.copytree(os.path.join(build_dir, "include"), inc_dir, dirs_exist_ok=True)
    # The installed libraries find libtorch through torch's own loaded copy; drop build-tree rpaths.
    for f in glob.glob(os.path.join(lib_dir, "*.so")) + glob.glob(os.path.join(PKG, "_C*.so")) + [os.path.join(bin_dir, "torchtrtc")]:
        rpath = "$ORIGIN/../lib" if f.endswith("torchtrtc") else ("$ORIGIN/lib" if os.path.basename(f).startswith("_C") else "$ORIGIN")
        if shutil.which("patchelf"):
            subprocess.check_call(["patchelf", "--set-rpath", rpath, f])


class BuildWithNative(build_py):
    def run(self) -> None:
        if not os.environ.get("TORCHTRT_SKIP_NATIVE"):
            build_native()
        super().run()


setup(
    name="torch_tensorrt",
    version="0.1.0",
    description="Ahead-of-time compiler from TorchScript to optimized inference engines",
    packages=["torch_tensorrt", "torch_tensorrt.ts"],
    package_dir={"": "py"},
    package_data={"torch_tensorrt": ["_C*.so", "lib/*.so", "bin/torchtrtc", "include/**/*.h", "include/*/*/*/*.h", "include/*/*/*/*/*.h"]},
    include_package_data=True,
    entry_points={"console_scripts": ["torchtrtc=torch_tensorrt._cli:main"]},
    cmdclass={"build_py": BuildWithNative},
    python_requires=">=3.9",
    install_requires=["torch==2.11.0"],
    zip_safe=False,
)
