//===- runtime/kernels/TensorKernels.cpp - tensor properties and builders -===//
//
// TorchScript's tensor builtins that ATen does not register as operators:
// properties (`x.shape`, `x.device`, `x.is_cuda`), conversions between
// tensors and Python values (`torch.tensor([[1, 2]])`, `x.tolist()`,
// number-to-tensor), device moves, grad mode and autograd entry points.
//
//===----------------------------------------------------------------------===//
#include "runtime/Kernels.h"
#include "runtime/Values.h"

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>

// torch 2.x renamed or removed a few of these entry points.
#define EMBER_TORCH_AT_LEAST(major, minor)                                                   \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace ember::runtime {
namespace {

using IValue = c10::IValue;

/// Flattens a nested list of numbers, checking that it is rectangular.
void flatten(const IValue &v, size_t dim, std::vector<int64_t> &shape, std::vector<IValue> &out) {
  if (!v.isList()) {
    if (dim != shape.size())
      throw PythonError("ValueError", "expected a sequence at dim " + std::to_string(dim));
    out.push_back(v);
    return;
  }
  auto l = v.toListRef();
  if (dim == shape.size())
    shape.push_back(int64_t(l.size()));
  else if (shape[dim] != int64_t(l.size()))
    throw PythonError("ValueError", "expected sequence of length " + std::to_string(shape[dim]) +
                                        " at dim " + std::to_string(dim) + " (got " +
                                        std::to_string(l.size()) + ")");
  for (const IValue &e : l)
    flatten(e, dim + 1, shape, out);
}

at::ScalarType inferredDtype(const std::vector<IValue> &elems, const c10::TypePtr &elemType) {
  bool anyFloat = false, anyComplex = false, allBool = true;
  for (const IValue &e : elems) {
    anyFloat |= e.isDouble();
    anyComplex |= e.isComplexDouble();
    allBool &= e.isBool();
  }
  if (elems.empty()) {
    // torch.tensor([]) is float; an empty List[int] is still int64.
    while (elemType && elemType->kind() == c10::TypeKind::ListType)
      return inferredDtype({}, elemType->castRaw<c10::ListType>()->getElementType());
    if (elemType && elemType->kind() == c10::TypeKind::IntType)
      return at::kLong;
    if (elemType && elemType->kind() == c10::TypeKind::BoolType)
      return at::kBool;
    return c10::typeMetaToScalarType(c10::get_default_dtype());
  }
  if (anyComplex)
    return c10::typeMetaToScalarType(c10::get_default_complex_dtype());
  if (anyFloat)
    return c10::typeMetaToScalarType(c10::get_default_dtype());
  return allBool ? at::kBool : at::kLong;
}

/// TorchScript's checkListInputType: `torch.tensor(l)` takes (nested) lists
/// of numbers and bools, whatever the list holds at run time.
void checkListElementType(c10::TypePtr elemType, bool empty) {
  while (elemType && elemType->kind() == c10::TypeKind::ListType)
    elemType = elemType->castRaw<c10::ListType>()->getElementType();
  if (!elemType || elemType->isSubtypeOf(*c10::NumberType::get()) ||
      elemType->kind() == c10::TypeKind::BoolType)
    return;
  std::string message = "Input must be of ints, floats, or bools, got " + elemType->repr_str();
  if (elemType->kind() == c10::TypeKind::TensorType && empty)
    message += "\nEmpty lists default to List[Tensor]. Add a variable annotation to the "
               "assignment to create an empty list of another type (torch.jit.annotate(List[T, "
               "[]]) where T is the type of elements in the list for Python 2)";
  throw PythonError("RuntimeError", message);
}

at::Tensor tensorFromValue(const IValue &data, const IValue &dtype, const IValue &device) {
  c10::TypePtr elemType = data.isList() ? data.toList().elementType() : nullptr;
  checkListElementType(elemType, data.isList() && data.toListRef().empty());
  std::vector<int64_t> shape;
  std::vector<IValue> elems;
  flatten(data, 0, shape, elems);
  at::ScalarType inferred = inferredDtype(elems, elemType);
  at::Tensor flat;
  if (inferred == at::kBool || inferred == at::kLong) {
    std::vector<int64_t> v;
    for (const IValue &e : elems)
      v.push_back(asInt(e));
    flat = at::tensor(v, at::kLong).to(inferred);
  } else if (at::isComplexType(inferred)) {
    std::vector<c10::complex<double>> v;
    for (const IValue &e : elems)
      v.push_back(asComplex(e));
    flat = at::tensor(v, at::kComplexDouble).to(inferred);
  } else {
    std::vector<double> v;
    for (const IValue &e : elems)
      v.push_back(asDouble(e));
    flat = at::tensor(v, at::kDouble).to(inferred);
  }
  at::Tensor t = data.isList() ? flat.reshape(shape) : flat.reshape({});
  if (!dtype.isNone())
    t = t.to(dtype.toScalarType());
  if (!device.isNone())
    t = t.to(device.toDevice());
  return t;
}

/// Nested lists of `t`'s elements, typed by `type` (one list level per dim).
IValue tensorToList(const at::Tensor &t, const c10::TypePtr &type) {
  if (t.dim() == 0) {
    at::Scalar s = t.item();
    switch (type->kind()) {
    case c10::TypeKind::IntType: return s.toLong();
    case c10::TypeKind::BoolType: return s.toBool();
    case c10::TypeKind::ComplexType: return s.toComplexDouble();
    default: return s.toDouble();
    }
  }
  auto elem = type->castRaw<c10::ListType>()->getElementType();
  c10::impl::GenericList l(elem);
  for (int64_t i = 0; i < t.size(0); ++i)
    l.push_back(tensorToList(t.select(0, i), elem));
  return l;
}

void addPropertyKernels(KernelTable &t) {
  t.add("aten::size", Operation([](Stack &s) { s.push_back(c10::List<int64_t>(pop(s).toTensor().sizes().vec())); }));
  t.add("aten::stride", Operation([](Stack &s) { s.push_back(c10::List<int64_t>(pop(s).toTensor().strides().vec())); }));
  t.add("aten::dim", Operation([](Stack &s) { s.push_back(int64_t(pop(s).toTensor().dim())); }));
  t.add("aten::numel", Operation([](Stack &s) { s.push_back(int64_t(pop(s).toTensor().numel())); }));
  t.add("aten::element_size", Operation([](Stack &s) { s.push_back(int64_t(pop(s).toTensor().element_size())); }));
  t.add("aten::storage_offset", Operation([](Stack &s) { s.push_back(int64_t(pop(s).toTensor().storage_offset())); }));
  t.add("aten::get_device", Operation([](Stack &s) { s.push_back(int64_t(pop(s).toTensor().get_device())); }));
  t.add("aten::is_contiguous", [](const Node &n, const TypeConverter &) -> Operation {
    if (n.inputs().size() == 2)
      return [](Stack &s) {
        auto fmt = pop(s).toMemoryFormat();
        s.push_back(pop(s).toTensor().is_contiguous(fmt));
      };
    return [](Stack &s) { s.push_back(pop(s).toTensor().is_contiguous()); };
  });
  t.add("aten::Size", Operation([](Stack &) {}));
  t.add("prim::device", Operation([](Stack &s) { s.push_back(pop(s).toTensor().device()); }));
  t.add("prim::dtype", Operation([](Stack &s) { s.push_back(int64_t(pop(s).toTensor().scalar_type())); }));
  t.add("prim::layout", Operation([](Stack &s) { s.push_back(pop(s).toTensor().layout()); }));
  t.add("prim::requires_grad", Operation([](Stack &s) { s.push_back(pop(s).toTensor().requires_grad()); }));
  t.add("prim::grad", Operation([](Stack &s) { s.push_back(pop(s).toTensor().grad()); }));
  t.add("prim::data", Operation([](Stack &s) { s.push_back(pop(s).toTensor().variable_data()); }));
  t.add("prim::name", Operation([](Stack &s) {
          pop(s);
          s.push_back(IValue());
        }));
  struct Pred { const char *name; bool (*f)(const at::Tensor &); };
  static const Pred preds[] = {
      {"prim::is_cuda", [](const at::Tensor &x) { return x.is_cuda(); }},
      {"prim::is_cpu", [](const at::Tensor &x) { return x.is_cpu(); }},
      {"prim::is_xpu", [](const at::Tensor &x) { return x.is_xpu(); }},
      {"prim::is_sparse", [](const at::Tensor &x) { return x.is_sparse(); }},
      {"prim::is_sparse_csr", [](const at::Tensor &x) { return x.is_sparse_csr(); }},
      {"prim::is_mkldnn", [](const at::Tensor &x) { return x.is_mkldnn(); }},
      {"prim::is_mps", [](const at::Tensor &x) { return x.is_mps(); }},
      {"prim::is_quantized", [](const at::Tensor &x) { return x.is_quantized(); }},
      {"prim::is_meta", [](const at::Tensor &x) { return x.is_meta(); }},
      {"prim::is_vulkan", [](const at::Tensor &x) { return x.is_vulkan(); }},
      {"prim::is_ipu", [](const at::Tensor &x) { return x.is_ipu(); }},
      // ORT's device type became MAIA; compare by name, which both spell.
      {"prim::is_ort", [](const at::Tensor &x) {
         return c10::DeviceTypeName(x.device().type(), /*lower_case=*/true) == "ort";
       }},
      {"prim::is_nested", [](const at::Tensor &x) { return x.is_nested(); }},
  };
  for (const Pred &p : preds)
    t.add(p.name, Operation([f = p.f](Stack &s) { s.push_back(f(pop(s).toTensor())); }));
  t.add("aten::device", Operation([](Stack &s) { s.push_back(c10::Device(pop(s).toStringRef())); }));
  t.add("prim::index", Operation([](Stack &s) {
          c10::Device d = pop(s).toDevice();
          s.push_back(d.has_index() ? IValue(int64_t(d.index())) : IValue());
        }));
  t.add("prim::type", Operation([](Stack &s) {
          s.push_back(c10::DeviceTypeName(pop(s).toDevice().type(), /*lower_case=*/true));
        }));
}

void addConversionKernels(KernelTable &t) {
  auto build = [](bool withGrad) {
    return [withGrad](Stack &s) {
      bool requiresGrad = withGrad ? pop(s).toBool() : false;
      IValue device = pop(s), dtype = pop(s), data = pop(s);
      if (data.isTensor()) {
        at::Tensor x = data.toTensor();
        s.push_back(x.to(device.isNone() ? x.device() : device.toDevice(),
                         dtype.isNone() ? x.scalar_type() : dtype.toScalarType()));
        return;
      }
      at::Tensor r = tensorFromValue(data, dtype, device);
      if (requiresGrad)
        r.set_requires_grad(true);
      s.push_back(r);
    };
  };
  t.add("aten::tensor", Operation(build(true)));
  t.add("aten::as_tensor", Operation(build(false)));
  t.add("aten::_list_to_tensor", Operation([](Stack &s) {
          s.push_back(tensorFromValue(pop(s), IValue(), IValue()));
        }));
  t.add("prim::NumToTensor", Operation([](Stack &s) {
          IValue v = pop(s);
          at::Scalar sc = v.isBool() ? at::Scalar(v.toBool()) : v.isInt() ? at::Scalar(v.toInt())
                          : v.isDouble() ? at::Scalar(v.toDouble()) : at::Scalar(v.toComplexDouble());
          s.push_back(at::scalar_to_tensor(sc));
        }));
  t.add("prim::tolist", [](const Node &n, const TypeConverter &types) -> Operation {
    c10::TypePtr out = types(n.output()->type());
    return [out](Stack &s) {
      drop(s, 2); // dimension count and element type code, implied by `out`
      at::Tensor x = pop(s).toTensor().cpu();
      int64_t dims = 0;
      c10::TypePtr elem = out;
      for (; elem->kind() == c10::TypeKind::ListType;
           elem = elem->castRaw<c10::ListType>()->getElementType())
        ++dims;
      // As TorchScript: a float list takes any floating dtype, a complex
      // list any complex one, int only int64 and bool only bool.
      c10::TypeKind k = elem->kind();
      bool fits = k == c10::TypeKind::FloatType   ? x.is_floating_point()
                  : k == c10::TypeKind::ComplexType ? x.is_complex()
                  : k == c10::TypeKind::IntType     ? x.scalar_type() == at::kLong
                                                    : x.scalar_type() == at::kBool;
      if (!fits)
        throw PythonError("RuntimeError", "Output annotation element type and runtime tensor "
                                          "element type must match for tolist()");
      if (dims != x.dim())
        throw PythonError("RuntimeError", "Output annotation list dimension and runtime tensor "
                                          "dimension must match for tolist()");
      s.push_back(tensorToList(x, out));
    };
  });
  t.add("aten::_tensor_to_list", Operation([](Stack &s) {
          at::Tensor x = pop(s).toTensor();
          c10::List<int64_t> l;
          for (int64_t i = 0; i < x.size(0); ++i)
            l.push_back(x[i].item().toLong());
          s.push_back(l);
        }));
  // TorchScript's overloads over ATen's dequantize(Tensor[]).
  t.add("aten::dequantize.tensor",
        Operation([](Stack &s) { s.push_back(at::dequantize(pop(s).toTensor())); }));
  t.add("aten::dequantize.list", Operation([](Stack &s) {
          s.push_back(c10::List<at::Tensor>(at::dequantize(pop(s).toTensorVector())));
        }));
  t.add("aten::cpu", Operation([](Stack &s) { s.push_back(pop(s).toTensor().cpu()); }));
  t.add("aten::cuda", Operation([](Stack &s) { s.push_back(pop(s).toTensor().cuda()); }));
  t.add("aten::to.prim_Device", Operation([](Stack &s) {
          bool copy = pop(s).toBool(), nonBlocking = pop(s).toBool();
          IValue dtype = pop(s), device = pop(s);
          at::Tensor x = pop(s).toTensor();
          s.push_back(x.to(device.isNone() ? x.device() : device.toDevice(),
                           dtype.isNone() ? x.scalar_type() : dtype.toScalarType(), nonBlocking, copy));
        }));
  t.add("aten::to.prim_dtype", Operation([](Stack &s) {
          bool copy = pop(s).toBool(), nonBlocking = pop(s).toBool();
          IValue dtype = pop(s);
          at::Tensor x = pop(s).toTensor();
          s.push_back(x.to(dtype.isNone() ? x.scalar_type() : dtype.toScalarType(), nonBlocking, copy));
        }));
  t.add("aten::to.prim_other", Operation([](Stack &s) {
          bool copy = pop(s).toBool();
          pop(s);
          at::Tensor x = pop(s).toTensor();
          s.push_back(copy ? x.clone() : x);
        }));
  t.add("aten::copy_", Operation([](Stack &s) {
          IValue other = pop(s);
          at::Tensor self = pop(s).toTensor();
          if (other.isTensor())
            self.copy_(other.toTensor());
          else
            self.fill_(other.isInt() ? at::Scalar(other.toInt()) : at::Scalar(other.toDouble()));
          s.push_back(self);
        }));
  t.add("aten::split", Operation([](Stack &s) {
          int64_t dim = pop(s).toInt();
          std::vector<int64_t> sizes = pop(s).toIntVector();
          s.push_back(c10::List<at::Tensor>(pop(s).toTensor().split_with_sizes(sizes, dim)));
        }));
  // TorchScript's "hacked twins" of the indexing operators take Tensor[]
  // where ATen's take Tensor?[] (a list of tensors is what `x[[i, j]] = v`
  // and `torch.index_put(x, [i], v)` give); they run ATen's.
  auto optionalTensors = [](const IValue &list) {
    c10::List<c10::optional<at::Tensor>> out;
    for (const at::Tensor &i : list.toTensorVector())
      out.push_back(i);
    return out;
  };
  t.add("aten::index.Tensor_hacked_twin", Operation([=](Stack &s) {
          auto indices = optionalTensors(pop(s));
          s.push_back(at::index(pop(s).toTensor(), indices));
        }));
  for (bool inPlace : {false, true})
    t.add(inPlace ? "aten::index_put_.hacked_twin" : "aten::index_put.hacked_twin",
          Operation([=](Stack &s) {
            bool accumulate = pop(s).toBool();
            at::Tensor values = pop(s).toTensor();
            auto indices = optionalTensors(pop(s));
            at::Tensor self = pop(s).toTensor();
            s.push_back(inPlace ? self.index_put_(indices, values, accumulate)
                                : self.index_put(indices, values, accumulate));
          }));
  t.add("aten::_index_put_impl_.hacked_twin", Operation([=](Stack &s) {
          bool unsafe = pop(s).toBool(), accumulate = pop(s).toBool();
          at::Tensor values = pop(s).toTensor();
          auto indices = optionalTensors(pop(s));
          at::Tensor self = pop(s).toTensor();
          s.push_back(at::_index_put_impl_(self, indices, values, accumulate, unsafe));
        }));
  t.add("aten::mT", Operation([](Stack &s) { s.push_back(pop(s).toTensor().mT()); }));
  t.add("aten::mH", Operation([](Stack &s) { s.push_back(pop(s).toTensor().mH()); }));
  t.add("aten::matrix_H", Operation([](Stack &s) { s.push_back(pop(s).toTensor().mH()); }));
  t.add("aten::numpy_T", Operation([](Stack &s) {
          at::Tensor x = pop(s).toTensor();
          std::vector<int64_t> perm;
          for (int64_t i = x.dim() - 1; i >= 0; --i)
            perm.push_back(i);
          s.push_back(x.permute(perm));
        }));
}

void addAutogradKernels(KernelTable &t) {
  t.add("aten::is_grad_enabled", Operation([](Stack &s) { s.push_back(at::GradMode::is_enabled()); }));
  t.add("aten::set_grad_enabled", Operation([](Stack &s) { at::GradMode::set_enabled(pop(s).toBool()); }));
  t.add("aten::is_scripting", Operation([](Stack &s) { s.push_back(true); }));
  t.add("aten::_get_tracing_state", Operation([](Stack &s) { s.push_back(false); }));
#if EMBER_TORCH_AT_LEAST(2, 4)
  t.add("aten::is_autocast_enabled", Operation([](Stack &s) {
          s.push_back(at::autocast::is_autocast_enabled(at::kCUDA));
        }));
  t.add("aten::is_autocast_cpu_enabled", Operation([](Stack &s) {
          s.push_back(at::autocast::is_autocast_enabled(at::kCPU));
        }));
#else
  t.add("aten::is_autocast_enabled", Operation([](Stack &s) { s.push_back(at::autocast::is_enabled()); }));
  t.add("aten::is_autocast_cpu_enabled", Operation([](Stack &s) { s.push_back(at::autocast::is_cpu_enabled()); }));
#endif
  t.add("aten::has_torch_function", [](const Node &n, const TypeConverter &) -> Operation {
    size_t count = n.inputs().size();
    return [count](Stack &s) {
      drop(s, count);
      s.push_back(false);
    };
  });
  t.add("aten::backward", Operation([](Stack &s) {
          bool create = pop(s).toBool();
          IValue retain = pop(s), gradient = pop(s);
          at::Tensor self = pop(s).toTensor();
          self.backward(gradient.isNone() ? at::Tensor() : gradient.toTensor(),
                        retain.isNone() ? c10::optional<bool>() : retain.toBool(), create);
        }));
  auto noGrad = [](at::Tensor (*f)(at::Tensor &, Stack &), size_t extra) {
    return [f, extra](Stack &s) {
      at::NoGradGuard guard;
      at::Tensor self = peek(s, 0, extra + 1).toTensor();
      at::Tensor r = f(self, s);
      drop(s, extra + 1);
      s.push_back(r);
    };
  };
  t.add("aten::_no_grad_fill_", Operation(noGrad([](at::Tensor &x, Stack &s) { return x.fill_(s.back().toDouble()); }, 1)));
  t.add("aten::_no_grad_zero_", Operation(noGrad([](at::Tensor &x, Stack &) { return x.zero_(); }, 0)));
  t.add("aten::_no_grad_uniform_", Operation(noGrad([](at::Tensor &x, Stack &s) {
          return x.uniform_(peek(s, 1, 3).toDouble(), peek(s, 2, 3).toDouble());
        }, 2)));
  t.add("aten::_no_grad_normal_", Operation(noGrad([](at::Tensor &x, Stack &s) {
          return x.normal_(peek(s, 1, 3).toDouble(), peek(s, 2, 3).toDouble());
        }, 2)));
  t.add("aten::manual_seed", Operation([](Stack &s) {
          int64_t seed = pop(s).toInt();
          auto gen = at::detail::getDefaultCPUGenerator();
          std::lock_guard<std::mutex> lock(gen.mutex());
          gen.set_current_seed(uint64_t(seed));
        }));
}

} // namespace

void addTensorKernels(KernelTable &t) {
  addPropertyKernels(t);
  addConversionKernels(t);
  addAutogradKernels(t);
}

} // namespace ember::runtime
