//===- tools/ember-run/ember-run.cpp - run a saved model ------------------===//
//
// ember-run MODEL.pt [--shape 1x3x224x224]... [--iters N] [--seed S]
//                    [--method NAME] [--map-location DEVICE]
//
// Loads a `.pt` archive with ember (no Python), calls `forward` (or
// --method) on random normal inputs of the given shapes (float32), and
// prints each output tensor's shape, sum and sum of absolute values, then
// the load time, the first call's time and the mean of --iters more calls.
//
//===----------------------------------------------------------------------===//
#include "engine/Module.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::vector<int64_t> parseShape(const std::string &text) {
  std::vector<int64_t> dims;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, 'x')) {
    size_t used = 0;
    long long d = std::stoll(part, &used);
    if (used != part.size() || d < 0)
      throw std::invalid_argument("bad shape '" + text + "' (expected e.g. 1x3x224x224)");
    dims.push_back(d);
  }
  if (dims.empty())
    throw std::invalid_argument("bad shape '" + text + "' (expected e.g. 1x3x224x224)");
  return dims;
}

void printValue(const c10::IValue &v, const std::string &label) {
  if (v.isTensor()) {
    at::Tensor t = v.toTensor().detach().to(at::kCPU);
    std::ostringstream shape;
    for (int64_t i = 0; i < t.dim(); ++i)
      shape << (i ? "x" : "") << t.size(i);
    if (t.is_floating_point() || t.is_complex())
      std::printf("%s: tensor %s %s sum=%.6g abs_sum=%.6g\n", label.c_str(), shape.str().c_str(),
                  c10::toString(t.scalar_type()), t.sum().item<double>(), t.abs().sum().item<double>());
    else
      std::printf("%s: tensor %s %s sum=%lld\n", label.c_str(), shape.str().c_str(),
                  c10::toString(t.scalar_type()), (long long)t.sum().item<int64_t>());
  } else if (v.isTuple()) {
    const auto &e = v.toTupleRef().elements();
    for (size_t i = 0; i < e.size(); ++i)
      printValue(e[i], label + "[" + std::to_string(i) + "]");
  } else if (v.isList()) {
    auto l = v.toList();
    for (size_t i = 0; i < l.size(); ++i)
      printValue(l.get(i), label + "[" + std::to_string(i) + "]");
  } else {
    std::ostringstream s;
    s << v;
    std::printf("%s: %s\n", label.c_str(), s.str().c_str());
  }
}

} // namespace

int main(int argc, char **argv) {
  std::string path, method = "forward";
  std::vector<std::vector<int64_t>> shapes;
  int iters = 10;
  uint64_t seed = 0;
  std::optional<c10::Device> mapLocation;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      auto next = [&]() -> std::string {
        if (i + 1 >= argc)
          throw std::invalid_argument(a + " needs a value");
        return argv[++i];
      };
      if (a == "--shape")
        shapes.push_back(parseShape(next()));
      else if (a == "--iters")
        iters = std::stoi(next());
      else if (a == "--seed")
        seed = std::stoull(next());
      else if (a == "--method")
        method = next();
      else if (a == "--map-location")
        mapLocation = c10::Device(next());
      else if (a == "-h" || a == "--help") {
        std::puts("usage: ember-run MODEL.pt [--shape 1x3x224x224]... [--iters N] [--seed S] "
                  "[--method NAME] [--map-location DEVICE]");
        return 0;
      } else if (!a.empty() && a[0] == '-')
        throw std::invalid_argument("unknown option '" + a + "'");
      else
        path = a;
    }
    if (path.empty())
      throw std::invalid_argument("no model given (usage: ember-run MODEL.pt --shape 1x3x224x224)");
  } catch (const std::exception &e) {
    std::fprintf(stderr, "ember-run: error: %s\n", e.what());
    return 2;
  }
  try {
    auto t0 = Clock::now();
    ember::Module m = ember::load(path, mapLocation);
    double loadMs = msSince(t0);
    at::manual_seed(seed);
    std::vector<c10::IValue> inputs;
    for (const auto &s : shapes) {
      at::Tensor t = at::randn(s);
      inputs.push_back(mapLocation ? t.to(*mapLocation) : t);
    }
    c10::NoGradGuard noGrad;
    auto t1 = Clock::now();
    c10::IValue out = m.run_method(method, inputs);
    double firstMs = msSince(t1);
    printValue(out, "output");
    auto t2 = Clock::now();
    for (int i = 0; i < iters; ++i)
      m.run_method(method, inputs);
    double meanMs = iters > 0 ? msSince(t2) / iters : 0;
    std::printf("load: %.2f ms, first call: %.2f ms, mean of %d calls: %.3f ms\n", loadMs, firstMs,
                iters, meanMs);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "ember-run: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
