//===- engine/FunctionModule.cpp - save a function as a module ------------===//
//
// torch.jit.save takes a ScriptFunction too: it wraps the function in a
// module of class `__torch__.PlaceholderModule` whose `forward` is the
// function's graph with a `self` input put first, and a `training`
// attribute set to true (script_init.cpp, addFunctionToModule). ember
// builds the same module, so the archive, and what torch.jit.load makes of
// it, are the same.
//
//===----------------------------------------------------------------------===//
#include "engine/Module.h"
#include "engine/ScriptProgram.h"
#include "frontend/Parser.h"
#include "ir/Schema.h"

#include <ATen/core/class_type.h>

namespace ember {

Module moduleOfFunction(const std::shared_ptr<ScriptProgram> &program,
                        const std::string &function) {
  Graph *graph = program->compiler().unit().find(function);
  const FunctionSchema *schema = program->schema(function);
  if (!graph || !schema)
    throw SaveError("there is no compiled function '" + function + "' to save");
  // Each call makes a new class; the first takes torch's name, which is
  // the one torch.jit.save gives the class of a saved function.
  std::string name = "PlaceholderModule";
  for (int n = 0; program->unit().findClass("__torch__." + name); ++n)
    name = "___torch_mangle_" + std::to_string(n) + ".PlaceholderModule";
  std::string header = "class PlaceholderModule(Module):\n"
                       "  __parameters__ = []\n"
                       "  __buffers__ = []\n"
                       "  training : bool\n";
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{"<function " + function + ">", header});
  auto parsed = std::make_shared<frontend::Module>(frontend::parseSource(buffer));
  runtime::ScriptClass &cls = program->addClass(name, parsed, {});

  std::shared_ptr<Graph> forward = graph->copy();
  forward->block()->insertInput(0, "self")->setType(cls.type);
  FunctionSchema forwardSchema = *schema;
  forwardSchema.name = name + ".forward";
  forwardSchema.arguments.insert(forwardSchema.arguments.begin(), Argument{"self", cls.type, std::nullopt, std::nullopt, false, std::nullopt, false, nullptr});
  program->addGraph(name + ".forward", forward, std::move(forwardSchema));

  c10::IValue object = program->newObject(cls);
  object.toObjectRef().setAttr("training", true);
  return Module(program, object);
}

} // namespace ember
