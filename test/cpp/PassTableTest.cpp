// The pass table's own rules (STYLE.md 2-3): every registered pass has a
// kebab-case, unique name and a lit test at test/lit/passes/<name>.ir.
#include "passes/Passes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

using namespace ember;

TEST(PassTable, NamesAreKebabCaseUniqueAndTested) {
  std::set<std::string> seen;
  const std::regex kebab("^[a-z][a-z0-9]*(-[a-z0-9]+)*$");
  ASSERT_FALSE(allPasses().empty());
  for (const PassInfo &p : allPasses()) {
    EXPECT_TRUE(std::regex_match(p.name, kebab)) << "pass name '" << p.name << "' is not kebab-case";
    EXPECT_TRUE(seen.insert(p.name).second) << "pass '" << p.name << "' is registered twice";
    std::string lit = std::string(EMBER_SOURCE_DIR) + "/test/lit/passes/" + p.name + ".ir";
    EXPECT_TRUE(std::ifstream(lit).good()) << "pass '" << p.name << "' has no lit test " << lit;
    EXPECT_NE(p.create(), nullptr);
  }
}

TEST(PassTable, PipelinesNameRegisteredPasses) {
  for (const std::string &name : pipelineNames()) {
    auto passes = pipelineNamed(name);
    EXPECT_FALSE(passes.empty()) << name;
    for (const auto &p : passes)
      EXPECT_NE(findPass(p), nullptr) << "pipeline '" << name << "' names unknown pass " << p;
  }
}
