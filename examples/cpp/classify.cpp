// Loads a model saved by torch.jit.save (or ember.save), runs it on a
// random image-shaped batch from several threads at once, and prints the
// top class of each row.
//   classify MODEL.pt [BATCH]
#include "engine/Module.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cstdio>
#include <thread>
#include <vector>

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: classify MODEL.pt [BATCH]\n");
    return 2;
  }
  int64_t batch = argc > 2 ? std::atoll(argv[2]) : 2;
  try {
    ember::Module model = ember::load(argv[1]);
    std::printf("loaded %s with %zu parameters\n", model.type_name().c_str(),
                model.named_parameters().size());
    at::manual_seed(0);
    at::Tensor images = at::randn({batch, 3, 64, 64});
    c10::NoGradGuard noGrad;
    at::Tensor logits = model.forward({images}).toTensor();
    // One model, many threads: calls are thread-safe.
    std::vector<std::thread> threads;
    std::vector<bool> same(4);
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        c10::NoGradGuard guard;
        same[t] = at::allclose(model.forward({images}).toTensor(), logits);
      });
    for (auto &t : threads)
      t.join();
    at::Tensor top = logits.argmax(1);
    for (int64_t i = 0; i < batch; ++i)
      std::printf("row %lld: class %lld\n", (long long)i, (long long)top[i].item<int64_t>());
    for (int t = 0; t < 4; ++t)
      if (!same[t]) {
        std::fprintf(stderr, "thread %d got a different result\n", t);
        return 1;
      }
    std::printf("4 threads agree\n");
  } catch (const std::exception &e) {
    std::fprintf(stderr, "classify: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
