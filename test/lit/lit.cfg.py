# lit configuration for ember's FileCheck tests.
import os

import lit.formats

config.name = "ember"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".ir", ".test", ".py"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ember_build_dir, "test", "lit")

llvm_bin = config.llvm_bin_dir
config.environment["PATH"] = os.pathsep.join(
    [os.path.join(config.ember_build_dir, "tools", "ember-opt"), llvm_bin,
     config.environment.get("PATH", os.environ.get("PATH", ""))])
for tool in ["ember-opt", "ember-translate"]:
    config.substitutions.append(("%" + tool, os.path.join(config.ember_build_dir, "tools", tool, tool)))
