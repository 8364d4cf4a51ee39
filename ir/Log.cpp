//===- ir/Log.cpp - EMBER_LOG topics --------------------------------------===//
#include "ir/Log.h"

#include <cstdlib>
#include <iostream>
#include <sstream>

namespace ember {

bool logEnabled(const std::string &topic) {
  static const std::string spec = [] {
    const char *e = std::getenv("EMBER_LOG");
    return std::string(e ? e : "");
  }();
  if (spec.empty())
    return false;
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ':')) {
    while (!item.empty() && item[0] == '>')
      item.erase(item.begin());
    if (item == topic)
      return true;
  }
  return false;
}

void logLine(const std::string &topic, const std::string &message) {
  if (logEnabled(topic))
    std::cerr << "[ember " << topic << "] " << message << "\n";
}

} // namespace ember
