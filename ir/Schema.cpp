//===- ir/Schema.cpp - schema parsing, matching and the registry ----------===//
//
// The schema language of TorchScript (reference §2.2): `*` starts keyword-only
// arguments, `...` marks varargs/varrets, `int[2]` is a broadcasting list,
// `Tensor(a!)` an alias annotation. Overload resolution binds type variables
// left to right, as TorchScript's matchTypeVariables does.
//
//===----------------------------------------------------------------------===//
#include "ir/Schema.h"

#include "ir/TypeParser.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <unordered_map>

namespace ember {

bool AliasInfo::isWildcardAfter() const {
  for (const auto &s : afterSets)
    if (s == "*")
      return true;
  return false;
}

std::string AliasInfo::str() const {
  std::string out = "(";
  for (size_t i = 0; i < beforeSets.size(); ++i)
    out += (i ? "|" : "") + beforeSets[i];
  if (isWrite)
    out += "!";
  if (beforeSets != afterSets) {
    out += " -> ";
    for (size_t i = 0; i < afterSets.size(); ++i)
      out += (i ? "|" : "") + afterSets[i];
  }
  return out + ")";
}

bool Argument::writes() const {
  if (!alias)
    return false;
  return alias->isWrite || (alias->contained && alias->contained->isWrite);
}

bool FunctionSchema::isMutable() const {
  for (const auto &a : arguments)
    if (a.writes())
      return true;
  return false;
}

static void printArgument(std::ostringstream &out, const Argument &a) {
  TypePtr t = a.type;
  bool opt = t->kind() == TypeKind::Optional;
  TypePtr inner = opt ? t->elem() : t;
  bool outerAlias = a.alias && !a.alias->beforeSets.empty();
  if (inner->kind() == TypeKind::List && (a.N || (a.alias && a.alias->contained))) {
    out << inner->elem()->schemaStr();
    if (a.alias && a.alias->contained)
      out << a.alias->contained->str();
    out << "[";
    if (a.N)
      out << *a.N;
    out << "]";
  } else {
    out << inner->schemaStr();
  }
  if (outerAlias)
    out << a.alias->str();
  if (opt)
    out << "?";
  if (!a.name.empty())
    out << " " << a.name;
  if (a.defaultValue)
    out << "=" << *a.defaultValue;
}

std::string FunctionSchema::str() const {
  std::ostringstream out;
  out << name;
  if (!overload.empty())
    out << "." << overload;
  out << "(";
  bool seenKwarg = false;
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (i)
      out << ", ";
    if (arguments[i].kwargOnly && !seenKwarg) {
      out << "*, ";
      seenKwarg = true;
    }
    printArgument(out, arguments[i]);
  }
  if (varArgs)
    out << (arguments.empty() ? "..." : ", ...");
  out << ") -> ";
  if (returns.empty() && varRets) {
    out << "...";
  } else if (returns.size() == 1 && !varRets) {
    printArgument(out, returns[0]);
  } else {
    out << "(";
    for (size_t i = 0; i < returns.size(); ++i) {
      if (i)
        out << ", ";
      printArgument(out, returns[i]);
    }
    if (varRets)
      out << (returns.empty() ? "..." : ", ...");
    out << ")";
  }
  return out.str();
}

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

namespace {

class SchemaParser {
public:
  SchemaParser(TextLexer &lex) : lex_(lex) {}

  FunctionSchema parse() {
    FunctionSchema s;
    s.name = lex_.expect(TokKind::Ident, "an operator name").text;
    lex_.expectPunct("::");
    s.name += "::" + lex_.expect(TokKind::Ident, "an operator name").text;
    if (lex_.acceptPunct("."))
      s.overload = lex_.expect(TokKind::Ident, "an overload name").text;
    lex_.expectPunct("(");
    bool kwargOnly = false;
    if (!lex_.isPunct(")")) {
      do {
        if (lex_.acceptPunct("*")) {
          kwargOnly = true;
          continue;
        }
        if (acceptEllipsis()) {
          s.varArgs = true;
          continue;
        }
        Argument a = parseArgument(/*isReturn=*/false);
        a.kwargOnly = kwargOnly;
        s.arguments.push_back(std::move(a));
      } while (lex_.acceptPunct(","));
    }
    lex_.expectPunct(")");
    lex_.expectPunct("->");
    if (lex_.isPunct("(")) {
      lex_.expectPunct("(");
      if (!lex_.isPunct(")")) {
        do {
          if (acceptEllipsis())
            s.varRets = true;
          else
            s.returns.push_back(parseArgument(/*isReturn=*/true));
        } while (lex_.acceptPunct(","));
      }
      lex_.expectPunct(")");
    } else if (acceptEllipsis()) {
      s.varRets = true;
    } else {
      s.returns.push_back(parseArgument(/*isReturn=*/true));
    }
    if (lex_.peek().kind != TokKind::End)
      lex_.error(lex_.peek(), "unexpected " + TextLexer::describe(lex_.peek()) + " after schema");
    return s;
  }

private:
  bool acceptEllipsis() {
    if (lex_.isPunct(".") && lex_.isPunct(".", 1) && lex_.isPunct(".", 2)) {
      lex_.next();
      lex_.next();
      lex_.next();
      return true;
    }
    return false;
  }

  std::optional<AliasInfo> parseAlias() {
    if (lex_.acceptPunct("!")) {
      AliasInfo a;
      a.beforeSets = a.afterSets = {"$fresh" + std::to_string(fresh_++)};
      a.isWrite = true;
      return a;
    }
    if (!lex_.isPunct("("))
      return std::nullopt;
    lex_.expectPunct("(");
    AliasInfo a;
    auto parseSets = [&](std::vector<std::string> &sets) {
      do {
        if (lex_.acceptPunct("*"))
          sets.push_back("*");
        else
          sets.push_back(lex_.expect(TokKind::Ident, "an alias set name").text);
      } while (lex_.acceptPunct("|"));
    };
    parseSets(a.beforeSets);
    if (lex_.acceptPunct("!"))
      a.isWrite = true;
    if (lex_.acceptPunct("->"))
      parseSets(a.afterSets);
    else
      a.afterSets = a.beforeSets;
    lex_.expectPunct(")");
    return a;
  }

  Argument parseArgument(bool isReturn) {
    Argument arg;
    TypePtr t = parseBaseType(lex_, TypeSyntax::Schema);
    arg.alias = parseAlias();
    while (true) {
      if (lex_.isPunct("[")) {
        lex_.expectPunct("[");
        if (lex_.peek().kind == TokKind::Number) {
          arg.N = std::stoll(lex_.next().text);
        }
        lex_.expectPunct("]");
        t = Type::list(t);
        if (arg.alias) {
          auto elem = std::make_shared<AliasInfo>(*arg.alias);
          arg.alias = AliasInfo{};
          arg.alias->contained = elem;
        }
        if (auto outer = parseAlias()) {
          auto contained = arg.alias ? arg.alias->contained : nullptr;
          arg.alias = *outer;
          arg.alias->contained = contained;
        }
      } else if (lex_.acceptPunct("?")) {
        t = Type::optional(t);
      } else {
        break;
      }
    }
    arg.type = t;
    if (lex_.peek().kind == TokKind::Ident)
      arg.name = lex_.next().text;
    else if (!isReturn)
      lex_.error(lex_.peek(), "expected an argument name but found " +
                                  TextLexer::describe(lex_.peek()));
    if (!isReturn && lex_.isPunct("=")) {
      Token eq = lex_.expectPunct("=");
      arg.defaultValue = rawDefault(eq);
    }
    return arg;
  }

  /// The default's source text, up to the next top-level ',' or ')'.
  std::string rawDefault(const Token &eq) {
    const std::string &text = lex_.buffer()->text;
    size_t i = eq.offset + 1, depth = 0;
    bool inString = false;
    char quote = 0;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (inString) {
        if (c == '\\')
          ++i;
        else if (c == quote)
          inString = false;
        continue;
      }
      if (c == '"' || c == '\'') {
        inString = true;
        quote = c;
      } else if (c == '[' || c == '(') {
        ++depth;
      } else if ((c == ']' || c == ')') && depth > 0) {
        --depth;
      } else if ((c == ',' || c == ')') && depth == 0) {
        break;
      }
    }
    std::string value = text.substr(eq.offset + 1, i - eq.offset - 1);
    while (!value.empty() && value.back() == ' ')
      value.pop_back();
    while (!value.empty() && value.front() == ' ')
      value.erase(value.begin());
    if (value.empty())
      lex_.error(eq, "expected a default value after '='");
    lex_.skipTo(i);
    return value;
  }

  TextLexer &lex_;
  int fresh_ = 0;
};

} // namespace

FunctionSchema parseSchema(const std::string &text, const std::string &sourceName) {
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{sourceName, text});
  TextLexer lex(buffer);
  return SchemaParser(lex).parse();
}

//===----------------------------------------------------------------------===//
// Matching
//===----------------------------------------------------------------------===//

bool bindTypeVariables(const TypePtr &formal, const TypePtr &actual, TypeEnv &env,
                       bool tuplesAsLists) {
  if (!formal->hasFreeVariables())
    return actual->isSubtypeOf(*formal);
  auto bind = [&](const TypePtr &f, const TypePtr &a) {
    return bindTypeVariables(f, a, env, tuplesAsLists);
  };
  switch (formal->kind()) {
  case TypeKind::Var: {
    auto it = env.find(formal->name());
    if (it == env.end()) {
      env[formal->name()] = actual;
      return true;
    }
    if (auto u = unifyTypes(it->second, actual)) {
      it->second = u;
      return true;
    }
    return false;
  }
  case TypeKind::Optional:
    if (actual->kind() == TypeKind::None)
      return true;
    return bind(formal->elem(), actual->kind() == TypeKind::Optional ? actual->elem() : actual);
  case TypeKind::List:
  case TypeKind::Future:
  case TypeKind::RRef:
    if (tuplesAsLists && formal->kind() == TypeKind::List && actual->kind() == TypeKind::Tuple) {
      for (const auto &e : actual->contained())
        if (!bind(formal->elem(), e))
          return false;
      return true;
    }
    return actual->kind() == formal->kind() && bind(formal->elem(), actual->elem());
  case TypeKind::Dict:
    return actual->kind() == TypeKind::Dict && bind(formal->contained()[0], actual->contained()[0]) &&
           bind(formal->contained()[1], actual->contained()[1]);
  case TypeKind::Tuple:
    if (actual->kind() != TypeKind::Tuple || actual->contained().size() != formal->contained().size())
      return false;
    for (size_t i = 0; i < formal->contained().size(); ++i)
      if (!bind(formal->contained()[i], actual->contained()[i]))
        return false;
    return true;
  default: return false;
  }
}

TypePtr substituteTypeVariables(const TypePtr &t, const TypeEnv &env) {
  if (!t->hasFreeVariables())
    return t;
  auto sub = [&](const TypePtr &x) { return substituteTypeVariables(x, env); };
  switch (t->kind()) {
  case TypeKind::Var: {
    auto it = env.find(t->name());
    return it != env.end() ? it->second : nullptr;
  }
  case TypeKind::List:
  case TypeKind::Optional:
  case TypeKind::Future:
  case TypeKind::RRef: {
    TypePtr e = sub(t->elem());
    if (!e)
      return nullptr;
    switch (t->kind()) {
    case TypeKind::List: return Type::list(e);
    case TypeKind::Optional: return Type::optional(e);
    case TypeKind::Future: return Type::future(e);
    default: return Type::rref(e);
    }
  }
  case TypeKind::Dict: {
    TypePtr k = sub(t->contained()[0]), v = sub(t->contained()[1]);
    return k && v ? Type::dict(k, v) : nullptr;
  }
  case TypeKind::Tuple: {
    std::vector<TypePtr> elems;
    for (const auto &e : t->contained()) {
      TypePtr x = sub(e);
      if (!x)
        return nullptr;
      elems.push_back(x);
    }
    return Type::tuple(std::move(elems));
  }
  default: return t;
  }
}

std::optional<std::vector<TypePtr>> matchSchema(const FunctionSchema &schema,
                                                const std::vector<TypePtr> &inputs) {
  if (schema.varArgs ? inputs.size() < schema.arguments.size()
                     : inputs.size() != schema.arguments.size())
    return std::nullopt;
  TypeEnv env;
  for (size_t i = 0; i < schema.arguments.size(); ++i)
    if (!bindTypeVariables(schema.arguments[i].type, inputs[i], env))
      return std::nullopt;
  std::vector<TypePtr> outs;
  for (const auto &r : schema.returns) {
    TypePtr t = substituteTypeVariables(r.type, env);
    outs.push_back(t ? t : Type::get(TypeKind::Any));
  }
  return outs;
}

//===----------------------------------------------------------------------===//
// Registry
//===----------------------------------------------------------------------===//

struct OperatorRegistry::Impl {
  mutable std::shared_mutex mutex;
  std::unordered_map<Symbol, std::vector<std::shared_ptr<const FunctionSchema>>> byKind;
  std::unordered_map<std::string, bool> seen; // name.overload
  std::vector<Symbol> order;
  size_t count = 0;
  std::atomic<bool> complete{false};
};

static const char *kEmberOperators[] = {
#define EMBER_OP(schema) schema,
#define EMBER_OP_EFFECT(schema) schema,
#include "ir/PrimOps.def"
};

static const char *kEmberEffectOperators[] = {
#define EMBER_OP(schema)
#define EMBER_OP_EFFECT(schema) schema,
#include "ir/PrimOps.def"
};

OperatorRegistry::OperatorRegistry() : impl_(std::make_unique<Impl>()) {
  std::unordered_map<std::string, bool> effects;
  for (const char *s : kEmberEffectOperators)
    effects[s] = true;
  for (const char *text : kEmberOperators) {
    auto schema = std::make_shared<FunctionSchema>(parseSchema(text, "ir/PrimOps.def"));
    schema->sideEffects = effects.count(text) > 0;
    add(std::move(schema));
  }
}

OperatorRegistry &OperatorRegistry::global() {
  static OperatorRegistry *registry = new OperatorRegistry();
  return *registry;
}

void OperatorRegistry::add(std::shared_ptr<const FunctionSchema> schema) {
  std::unique_lock<std::shared_mutex> lock(impl_->mutex);
  std::string key = schema->name + "." + schema->overload;
  if (impl_->seen.count(key))
    return; // ember's own definition wins over a later import
  impl_->seen[key] = true;
  Symbol kind = schema->kind();
  auto &list = impl_->byKind[kind];
  if (list.empty())
    impl_->order.push_back(kind);
  // TorchScript's "hacked twins" (Tensor[] where ATen takes Tensor?[]) come
  // after ATen's overloads, which it registers first: a tuple of tensors
  // passed as indices converts to ATen's Tensor?[].
  auto twin = [](const std::shared_ptr<const FunctionSchema> &s) {
    return s->overload.find("hacked_twin") != std::string::npos;
  };
  list.insert(twin(schema) ? list.end() : std::find_if(list.begin(), list.end(), twin),
              std::move(schema));
  impl_->count++;
}

std::vector<std::shared_ptr<const FunctionSchema>> OperatorRegistry::lookup(Symbol kind) const {
  std::shared_lock<std::shared_mutex> lock(impl_->mutex);
  auto it = impl_->byKind.find(kind);
  if (it == impl_->byKind.end())
    return {};
  return it->second;
}

bool OperatorRegistry::contains(Symbol kind) const {
  std::shared_lock<std::shared_mutex> lock(impl_->mutex);
  return impl_->byKind.count(kind) > 0;
}

const FunctionSchema *OperatorRegistry::resolve(Symbol kind, const std::vector<TypePtr> &inputs,
                                                std::vector<TypePtr> *outputTypes) const {
  std::shared_lock<std::shared_mutex> lock(impl_->mutex);
  auto it = impl_->byKind.find(kind);
  if (it == impl_->byKind.end())
    return nullptr;
  for (const auto &s : it->second) {
    if (auto outs = matchSchema(*s, inputs)) {
      if (outputTypes)
        *outputTypes = std::move(*outs);
      return s.get();
    }
  }
  return nullptr;
}

size_t OperatorRegistry::size() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mutex);
  return impl_->count;
}

bool OperatorRegistry::isComplete() const { return impl_->complete.load(); }
void OperatorRegistry::markComplete() { impl_->complete.store(true); }

std::vector<Symbol> OperatorRegistry::kinds() const {
  std::shared_lock<std::shared_mutex> lock(impl_->mutex);
  return impl_->order;
}

} // namespace ember
