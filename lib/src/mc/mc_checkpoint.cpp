#include "mc/mc_checkpoint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "relumix/core/error.hpp"

namespace relumix::mc_detail {

namespace {
const std::string kMagic = "relumix mc checkpoint 1\n";

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// "a; b; c" -> fields
std::vector<std::string> fields(const std::string& s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t j = s.find("; ", i);
    if (j == std::string::npos) j = s.size();
    out.push_back(s.substr(i, j - i));
    i = j + 2;
  }
  return out;
}

// The first field in which two fingerprints differ, as "samples 1000 there, 2000 here".
std::string difference(const std::string& there, const std::string& here) {
  auto a = fields(there), b = fields(here);
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string x = i < a.size() ? a[i] : "", y = i < b.size() ? b[i] : "";
    if (x == y) continue;
    const auto sx = x.find(' '), sy = y.find(' ');
    const std::string key = y.substr(0, sy);
    if (sx != std::string::npos && sy != std::string::npos && x.substr(0, sx) == key)
      return key + " " + x.substr(sx + 1) + " there, " + y.substr(sy + 1) + " here";
    return "'" + x + "' there, '" + y + "' here";
  }
  return "";
}

[[noreturn]] void io_error(const std::string& what, const std::string& path, int err) {
  throw InputError("cannot " + what + " the checkpoint " + path + ": " + std::strerror(err));
}

bool write_all(int fd, const std::string& s) {
  const char* p = s.data();
  std::size_t left = s.size();
  while (left > 0) {
    const ssize_t w = ::write(fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    left -= std::size_t(w);
  }
  return true;
}
}  // namespace

Checkpoint::Checkpoint(std::string path, const McPlan& plan) : path_(std::move(path)), plan_(plan) {
  require(!path_.empty(), "empty checkpoint file name");
}

bool Checkpoint::exists() const {
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) return false;
  require(S_ISREG(st.st_mode), "the checkpoint " + path_ + " is not a regular file");
  return true;
}

std::string Checkpoint::fingerprint(const mc_detail::McStateData& g) const {
  return plan_.fingerprint() + "; shard " + std::to_string(g.shard.first_block) + ".." +
         std::to_string(g.shard.end_block);
}

void Checkpoint::load(mc_detail::McStateData& g) const {
  std::ifstream f(path_, std::ios::binary);
  if (!f) io_error("read", path_, errno);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string bytes = ss.str();
  std::string_view in = bytes;
  const std::string bad = "the checkpoint " + path_ + " ";
  require(in.substr(0, kMagic.size()) == kMagic, bad + "is not a relumix mc checkpoint");
  in.remove_prefix(kMagic.size());
  std::uint64_t length = 0;
  require(mc_detail::get_u64(in, length), bad + "is truncated");
  require(length == bytes.size(), bad + (bytes.size() < length ? "is truncated (" + std::to_string(bytes.size()) +
                                                                     " of " + std::to_string(length) + " bytes)"
                                                               : "is corrupt (wrong length)"));
  std::string_view body(bytes.data(), bytes.size() - 8), tail(bytes.data() + bytes.size() - 8, 8);
  std::uint64_t sum = 0;
  require(mc_detail::get_u64(tail, sum) && sum == fnv1a(body), bad + "is corrupt (checksum mismatch)");
  std::uint64_t n = 0;
  require(mc_detail::get_u64(in, n) && n <= in.size(), bad + "is corrupt");
  const std::string there(in.substr(0, std::size_t(n)));
  in.remove_prefix(std::size_t(n));
  const std::string here = fingerprint(g);
  // checkpoints written before the activation was part of the fingerprint are ReLU runs
  std::string legacy = here;
  if (const auto at = legacy.find("; activation relu;"); at != std::string::npos) legacy.erase(at, 17);
  require(there == here || there == legacy, bad + "belongs to another run (" + difference(there, here) + ")");
  in.remove_suffix(8);
  const McShard shard = g.shard;
  require(g.read(in) && in.empty(), bad + "is corrupt");
  require(g.shard.first_block == shard.first_block && g.shard.end_block == shard.end_block &&
              g.next >= shard.first_block && g.next <= shard.end_block,
          bad + "is corrupt (inconsistent progress)");
}

void Checkpoint::save(const mc_detail::McStateData& g, const std::vector<std::uint64_t>& holes) const {
  std::string out = kMagic;
  mc_detail::put_u64(out, 0);  // length, set below
  const std::string fp = fingerprint(g);
  mc_detail::put_u64(out, fp.size());
  out += fp;
  g.write(out, &holes);
  const std::uint64_t length = out.size() + 8;
  for (int i = 0; i < 8; ++i) out[kMagic.size() + std::size_t(i)] = char((length >> (8 * i)) & 0xFF);
  mc_detail::put_u64(out, fnv1a(out));

  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) io_error("write", path_, errno);
  if (!write_all(fd, out) || ::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw InputError("cannot write the checkpoint " + path_ + ": " + std::strerror(err) +
                     " (the previous checkpoint, if any, is kept)");
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw InputError("cannot write the checkpoint " + path_ + ": " + std::strerror(err) +
                     " (the previous checkpoint, if any, is kept)");
  }
  // make the rename durable
  std::string dir = std::filesystem::path(path_).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace relumix::mc_detail
