// The unit tests run with the runtime initialised, as the tools do: ATen
// schemas imported and the constant evaluator installed.
#include "runtime/OperatorImport.h"

#include <gtest/gtest.h>

int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ember::initializeRuntime();
  return RUN_ALL_TESTS();
}
