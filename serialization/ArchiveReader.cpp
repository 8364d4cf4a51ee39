//===- serialization/ArchiveReader.cpp - open `.pt` archives safely -------===//
//
// caffe2's PyTorchStreamReader reads the zip; before handing it a file we
// walk the zip's central directory ourselves (the end record, its zip64
// form, each entry and its zip64 extra field) and refuse records whose
// sizes no honest writer produces: a stored record whose two sizes differ,
// a deflated one claiming more than deflate's 1032:1 limit, any other
// compression method. Its errors (c10::Error) become FormatErrors that say
// what the file is.
//
//===----------------------------------------------------------------------===//
#include "serialization/Archive.h"

#include <caffe2/serialize/file_adapter.h>
#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/read_adapter_interface.h>

#include <cstring>
#include <functional>

namespace ember::serialization {
namespace {

class MemoryAdapter : public caffe2::serialize::ReadAdapterInterface {
public:
  explicit MemoryAdapter(std::string bytes) : bytes_(std::move(bytes)) {}
  size_t size() const override { return bytes_.size(); }
  size_t read(uint64_t pos, void *buf, size_t n, const char * /*what*/) const override {
    if (pos >= bytes_.size() || n == 0)
      return 0;
    n = std::min<uint64_t>(n, bytes_.size() - pos);
    std::memcpy(buf, bytes_.data() + pos, n);
    return n;
  }

private:
  std::string bytes_;
};

uint64_t le(const unsigned char *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

using Bad = std::function<FormatError(const std::string &why)>;

/// Where the zip's central directory is, from its end record (or the zip64
/// end record it points at).
struct Directory {
  uint64_t entries = 0, size = 0, offset = 0;
};

Directory locateDirectory(const caffe2::serialize::ReadAdapterInterface &in, const Bad &bad) {
  uint64_t size = in.size();
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  uint64_t tailSize = std::min<uint64_t>(size, 65557);
  std::vector<unsigned char> tail(tailSize);
  in.read(size - tailSize, tail.data(), tailSize, "end record");
  int64_t eocd = -1;
  for (int64_t i = int64_t(tailSize) - 22; i >= 0; --i)
    if (le(&tail[i], 4) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0)
    throw bad("it has no zip end-of-directory record (truncated?)");
  Directory d{le(&tail[eocd + 10], 2), le(&tail[eocd + 12], 4), le(&tail[eocd + 16], 4)};
  if (d.entries != 0xffff && d.size != 0xffffffff && d.offset != 0xffffffff)
    return d;
  // zip64: a locator just before the end record points at the zip64 end.
  uint64_t eocdPos = size - tailSize + uint64_t(eocd);
  if (eocdPos < 20)
    throw bad("its zip64 locator is missing");
  unsigned char loc[20];
  in.read(eocdPos - 20, loc, 20, "zip64 locator");
  if (le(loc, 4) != 0x07064b50)
    throw bad("its zip64 locator is missing");
  uint64_t end64 = le(loc + 8, 8);
  unsigned char rec[56];
  if (end64 > size - 56 || in.read(end64, rec, 56, "zip64 end") != 56 || le(rec, 4) != 0x06064b50)
    throw bad("its zip64 end record is missing");
  return Directory{le(rec + 32, 8), le(rec + 40, 8), le(rec + 48, 8)};
}

/// Checks the zip's directory (see the file comment).
void checkDirectory(const caffe2::serialize::ReadAdapterInterface &in, const std::string &name) {
  Bad bad = [&](const std::string &why) {
    return FormatError("'" + name + "' is not a valid TorchScript archive: " + why);
  };
  uint64_t size = in.size();
  if (size < 22)
    throw bad("the file is too short to be a zip archive");
  unsigned char head[4];
  in.read(0, head, 4, "magic");
  if (head[0] == 0x80 && head[1] == 0x02)
    throw bad("it is a pickle written by torch.save (load it with torch.load), not by "
              "torch.jit.save");
  if (std::memcmp(head, "PK\x03\x04", 4) != 0)
    throw bad("it is not a zip archive");
  Directory dir = locateDirectory(in, bad);
  uint64_t entries = dir.entries, cdSize = dir.size, cdOffset = dir.offset;
  if (cdOffset > size || cdSize > size - cdOffset || entries > cdSize / 46 + 1)
    throw bad("its zip directory lies outside the file");
  std::vector<unsigned char> cd(cdSize);
  in.read(cdOffset, cd.data(), cdSize, "central directory");
  size_t pos = 0;
  for (uint64_t e = 0; e < entries; ++e) {
    if (pos + 46 > cd.size() || le(&cd[pos], 4) != 0x02014b50)
      throw bad("its zip directory is corrupted");
    uint64_t method = le(&cd[pos + 10], 2);
    uint64_t compressed = le(&cd[pos + 20], 4), uncompressed = le(&cd[pos + 24], 4);
    size_t nameLen = le(&cd[pos + 28], 2), extraLen = le(&cd[pos + 30], 2),
           commentLen = le(&cd[pos + 32], 2);
    if (pos + 46 + nameLen + extraLen + commentLen > cd.size())
      throw bad("its zip directory is corrupted");
    std::string entry(reinterpret_cast<const char *>(&cd[pos + 46]), nameLen);
    // zip64 sizes live in the extra field (id 1), in this order.
    for (size_t x = pos + 46 + nameLen; x + 4 <= pos + 46 + nameLen + extraLen;) {
      uint64_t id = le(&cd[x], 2), len = le(&cd[x + 2], 2);
      if (x + 4 + len > pos + 46 + nameLen + extraLen)
        break;
      if (id == 1) {
        size_t at = x + 4;
        if (uncompressed == 0xffffffff && at + 8 <= x + 4 + len)
          uncompressed = le(&cd[at], 8), at += 8;
        if (compressed == 0xffffffff && at + 8 <= x + 4 + len)
          compressed = le(&cd[at], 8);
      }
      x += 4 + len;
    }
    if (method == 0 ? uncompressed != compressed
        : method == 8 ? uncompressed / 1032 > compressed + 1
                      : true)
      throw bad("record '" + entry + "' has impossible sizes or an unknown compression");
    if (compressed > size)
      throw bad("record '" + entry + "' is larger than the file");
    pos += 46 + nameLen + extraLen + commentLen;
  }
}

std::string firstLine(const c10::Error &e) {
  std::string msg = e.what_without_backtrace();
  return msg.substr(0, msg.find('\n'));
}

} // namespace

ArchiveReader::ArchiveReader(const std::string &path) : name_(path) {
  std::shared_ptr<caffe2::serialize::ReadAdapterInterface> in;
  try {
    in = std::make_shared<caffe2::serialize::FileAdapter>(path);
  } catch (const c10::Error &) {
    throw FormatError("cannot open '" + path + "'");
  }
  open(std::move(in));
}

ArchiveReader::ArchiveReader(std::string bytes, const std::string &name) : name_(name) {
  open(std::make_shared<MemoryAdapter>(std::move(bytes)));
}

ArchiveReader::~ArchiveReader() = default;

void ArchiveReader::open(std::shared_ptr<caffe2::serialize::ReadAdapterInterface> in) {
  checkDirectory(*in, name_);
  try {
    reader_ = std::make_unique<caffe2::serialize::PyTorchStreamReader>(std::move(in));
  } catch (const c10::Error &e) {
    throw FormatError("'" + name_ + "' is not a valid TorchScript archive: " + firstLine(e));
  }
}

bool ArchiveReader::has(const std::string &name) {
  try {
    return reader_->hasRecord(name);
  } catch (const c10::Error &e) {
    throw FormatError("'" + name_ + "': " + firstLine(e));
  }
}

std::pair<at::DataPtr, size_t> ArchiveReader::record(const std::string &name) {
  if (!has(name))
    throw FormatError("'" + name_ + "' has no record '" + name + "'");
  try {
    auto [data, size] = reader_->getRecord(name);
    return {std::move(data), size};
  } catch (const c10::Error &e) {
    throw FormatError("'" + name_ + "': record '" + name + "' cannot be read: " + firstLine(e));
  }
}

std::string ArchiveReader::text(const std::string &name) {
  auto [data, size] = record(name);
  return std::string(static_cast<const char *>(data.get()), size);
}

std::vector<std::string> ArchiveReader::records() {
  try {
    return reader_->getAllRecords();
  } catch (const c10::Error &e) {
    throw FormatError("'" + name_ + "': " + firstLine(e));
  }
}

uint64_t ArchiveReader::version() const { return reader_->version(); }

} // namespace ember::serialization
