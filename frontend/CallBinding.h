//===- frontend/CallBinding.h - matching a call against operator schemas --===//
//
// How TorchScript binds `torch.add(x, 2, alpha=3)` to an overload: positional
// arguments fill the formals in order, keywords by name, the rest from
// defaults; each actual must then fit the formal's type, binding type
// variables left to right. Overloads are tried first without implicit
// conversions and then with them (Tensor -> int/float/Scalar, number ->
// int/float, bool -> int/float, str -> Device), as its schema matching does.
// The result is a plan; the IR emitter inserts the nodes it calls for.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Diagnostic.h"
#include "ir/Schema.h"

#include <optional>
#include <string>
#include <vector>

namespace ember::frontend {

/// One actual argument of a call, as the emitter sees it.
struct CallArgument {
  TypePtr type;
  std::string keyword; // empty for a positional argument
  SourceSpan span;
};

/// What turns the actual value into the formal's type.
enum class ConversionKind {
  None,
  Implicit,         // insert `op` (aten::IntImplicit, aten::Float, aten::device, ...)
  BroadcastList,    // an int/float used for `int[N]`: a list of N copies
  TupleToList,      // a homogeneous tuple for a list formal
  PackList,         // `x.view(2, 3)`: the remaining positional actuals form the list
};

struct BoundArgument {
  enum SourceKind { Positional, Keyword, Default } source = Positional;
  size_t actual = 0;        // index into the call's arguments (not for Default)
  std::string defaultValue; // the schema's default text, for Default
  std::shared_ptr<const c10::IValue> defaultConstant; // a default with no text (a tensor)
  TypePtr formalType;       // with type variables replaced
  ConversionKind conversion = ConversionKind::None;
  std::string op;           // for Implicit: the operator to insert
  int64_t repeat = 0;       // for BroadcastList, and a Default of an `int[N]` formal
  std::vector<size_t> packed; // for PackList: the actuals, in order
};

struct CallBinding {
  const FunctionSchema *schema = nullptr;
  /// One per formal, in schema order, then the extra actuals of a variadic
  /// schema (`aten::format(str self, ...)`).
  std::vector<BoundArgument> arguments;
  std::vector<TypePtr> returns;
};

/// The implicit cast TorchScript inserts from `actual` to `formal`, if any
/// (`aten::FloatImplicit` for a tensor passed as a float, ...).
const char *implicitCast(const TypePtr &actual, const TypePtr &formal);

/// Binds `args` to one schema; empty (and the reason in `whyNot`) when it
/// does not fit.
std::optional<CallBinding> bindCall(const FunctionSchema &schema,
                                    const std::vector<CallArgument> &args,
                                    bool allowConversions, std::string *whyNot = nullptr);

/// Binds to the first overload that fits, trying all without conversions
/// first. When none fits, throws CompileError at `callSpan` listing each
/// candidate and why it was rejected.
CallBinding bindOverloads(const std::string &callee,
                          const std::vector<std::shared_ptr<const FunctionSchema>> &overloads,
                          const std::vector<CallArgument> &args, const SourceSpan &callSpan);

} // namespace ember::frontend
