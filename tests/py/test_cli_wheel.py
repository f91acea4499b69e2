"""The package as shipped: `cmake --install` of the build gives torchtrtc and the libraries
$ORIGIN-relative run paths, the wheel setup.py makes from them is tagged for this CPython and
platform, and an install of the wheel alone (torch beside it, no build folder on any path, no
LD_LIBRARY_PATH) imports and runs torchtrtc."""
import glob
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile

import pytest
import torch

from conftest import BUILD, REPO

ORIGIN_RPATHS = {
    "bin/torchtrtc": "$ORIGIN/../lib:$ORIGIN/../../torch/lib",
    "lib/libtorchtrt.so": "$ORIGIN:$ORIGIN/../../torch/lib",
    "lib/libtorchtrt_runtime.so": "$ORIGIN:$ORIGIN/../../torch/lib",
}


def runpath(path):
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=True).stdout
    lines = [line for line in out.splitlines() if "(RUNPATH)" in line or "(RPATH)" in line]
    return lines[0].split("[", 1)[1].rstrip("]") if lines else ""


def test_installed_binaries_have_origin_relative_rpaths(installed):
    for rel, want in ORIGIN_RPATHS.items():
        got = runpath(os.path.join(installed, rel))
        # A CUDA build adds the CUDA libraries' folders: beside torch (nvidia/...) relative, the toolkit's absolute.
        assert got == want or got.startswith(want + ":"), (rel, got)
    (ext,) = glob.glob(os.path.join(installed, "_C*.so"))
    assert runpath(ext).startswith("$ORIGIN/lib")
    # And nothing names the build folder or the repository.
    for path in glob.glob(os.path.join(installed, "**", "*.so"), recursive=True) + [
            os.path.join(installed, "bin", "torchtrtc")]:
        assert REPO not in runpath(path) and BUILD not in runpath(path), path


def build_wheel(installed, tmp_path):
    """setup.py's wheel from the installed native files (TORCHTRT_SKIP_NATIVE: no CMake run)."""
    src = tmp_path / "src"
    shutil.copytree(os.path.join(REPO, "py", "torch_tensorrt"), src / "py" / "torch_tensorrt",
                    ignore=shutil.ignore_patterns("__pycache__", "lib", "bin", "include", "_C*.so"))
    for f in ("setup.py", "pyproject.toml"):
        shutil.copy(os.path.join(REPO, f), src / f)
    shutil.copytree(installed, src / "py" / "torch_tensorrt", dirs_exist_ok=True)
    env = dict(os.environ, TORCHTRT_SKIP_NATIVE="1")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-build-isolation", "--no-deps",
                        "--no-index", "-w", str(tmp_path / "dist"), str(src)], capture_output=True, text=True,
                       env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    (wheel,) = glob.glob(str(tmp_path / "dist" / "*.whl"))
    return wheel


def test_wheel_tags_metadata_and_an_install_that_runs_alone(installed, tmp_path):
    wheel = build_wheel(installed, tmp_path)
    tag = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    assert os.path.basename(wheel) == f"torch_tensorrt-0.1.0-{tag}-{tag}-{platform}.whl"
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = {n.split("/")[-1]: z.read(n).decode() for n in names if ".dist-info/" in n}
        z.extractall(site)  # what pip puts into site-packages
    assert "Root-Is-Purelib: false" in meta["WHEEL"] and f"Tag: {tag}-{tag}-{platform}" in meta["WHEEL"]
    major, minor = torch.__version__.split(".")[:2]
    assert f"Requires-Dist: torch<{major}.{int(minor) + 1},>={major}.{minor}" in meta["METADATA"]
    for rel in list(ORIGIN_RPATHS) + ["include/torch_tensorrt/torch_tensorrt.h", "dynamo/__init__.py"]:
        assert f"torch_tensorrt/{rel}" in names, rel
    for f in glob.glob(str(site / "torch_tensorrt" / "bin" / "*")):
        os.chmod(f, 0o755)  # zipfile drops the mode pip restores
    # torch and its dependencies beside the package, as in a site-packages where pip installed both.
    torch_site = os.path.dirname(os.path.dirname(torch.__file__))
    for entry in os.listdir(torch_site):
        if not entry.startswith("torch_tensorrt") and not (site / entry).exists():
            os.symlink(os.path.join(torch_site, entry), site / entry)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(site)}
    exe = str(site / "torch_tensorrt" / "bin" / "torchtrtc")
    r = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and "Torch-TensorRT version: 0.1.0" in r.stdout, r.stderr
    ldd = subprocess.run(["ldd", exe], capture_output=True, text=True, env=env).stdout
    assert "not found" not in ldd and BUILD not in ldd, ldd
    found = dict(line.strip().split(" => ") for line in ldd.splitlines() if " => " in line)
    for lib in ("libtorchtrt.so", "libtorchtrt_runtime.so", "libtorch.so", "libc10.so"):
        assert os.path.realpath(found[lib].split(" (")[0]).startswith(
            os.path.realpath(site / "torch_tensorrt") if "torchtrt" in lib else os.path.realpath(torch_site)), ldd
    model = str(tmp_path / "m.ts")
    torch.jit.script(torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU())).save(model)
    r = subprocess.run([exe, "-d", "cpu", model, str(tmp_path / "m_trt.ts"), "(2,4)"], capture_output=True,
                       text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    code = ("import torch, torch_tensorrt; assert torch_tensorrt.__file__.startswith(%r), torch_tensorrt.__file__; "
            "m = torch.jit.load(%r); print(tuple(m(torch.randn(2, 4)).shape))") % (str(site), str(tmp_path / "m_trt.ts"))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0 and r.stdout.strip() == "(2, 3)", r.stderr
