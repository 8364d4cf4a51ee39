//===- ir/DefaultSchema.cpp - the schema of a graph made without one ------===//
//
// Traced graphs, graphs read from IR text and frozen methods have no source
// signature. Their schema is TorchScript's defaultSchemaFor: each input's
// name without its `.N` suffix (`argument_<i>` when unnamed), the types with
// tensor refinements dropped (they describe an example, not the contract).
//
//===----------------------------------------------------------------------===//
#include "ir/Graph.h"
#include "ir/Schema.h"

namespace ember {

FunctionSchema defaultSchemaFor(const Graph &g, const std::string &name) {
  FunctionSchema schema;
  schema.name = name;
  for (size_t i = 0; i < g.inputs().size(); ++i) {
    const Value *in = g.inputs()[i];
    Argument arg;
    arg.name = in->hasDebugName() ? in->debugNameBase() : "argument_" + std::to_string(i);
    arg.type = in->type()->unrefined();
    schema.arguments.push_back(std::move(arg));
  }
  for (const Value *out : g.outputs()) {
    Argument ret;
    ret.type = out->type()->unrefined();
    schema.returns.push_back(std::move(ret));
  }
  return schema;
}

} // namespace ember
