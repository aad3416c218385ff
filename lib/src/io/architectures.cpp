#include "relumix/io/architectures.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "io/text.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/io/numbers.hpp"
#include "relumix/io/widths.hpp"

namespace relumix {

std::vector<Architecture> parse_architectures(std::string_view text) {
  std::vector<Architecture> out;
  std::size_t start = 0, line_no = 0, layers = 0;
  while (start < text.size()) {
    if ((line_no & 1023) == 0) throw_if_stopped();
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (auto h = line.find('#'); h != std::string_view::npos) line = line.substr(0, h);
    line = io_detail::trim(line);
    if (line.empty()) continue;
    require(out.size() < std::size_t(kMaxArchitectures), "more than ", io_detail::Count{std::uint64_t(kMaxArchitectures)},
            " architectures in the list");
    Architecture a;
    std::string_view widths = line;
    if (auto c = line.find(':'); c != std::string_view::npos) {
      a.name = std::string(io_detail::trim(line.substr(0, c)));
      widths = io_detail::trim(line.substr(c + 1));
      require(!a.name.empty(), "architectures line ", line_no, ": empty name before ':'");
    } else {
      a.name = std::string(line);
    }
    try {
      a.widths = parse_widths(widths, 2);
    } catch (const InputError& e) {
      fail("architectures line ", line_no, ": ", e.what());
    }
    layers += a.widths.size();
    require(layers <= std::size_t(kMaxScreenLayers), "more than ", io_detail::Count{std::uint64_t(kMaxScreenLayers)},
            " layers in all architectures of the list");
    out.push_back(std::move(a));
  }
  require(!out.empty(), "no architectures in the list (one 'name: widths' or 'widths' per line)");
  return out;
}

std::string read_text_file(const std::string& path) {
  namespace fs = std::filesystem;
  require(!path.empty(), "empty file name");
  std::error_code ec;
  const auto st = fs::status(path, ec);
  require(fs::exists(st), "cannot read ", io_detail::excerpt(path), ": no such file");
  require(!fs::is_directory(st), io_detail::excerpt(path), " is a directory, not a file");
  if (fs::is_regular_file(st)) {
    const auto size = fs::file_size(path, ec);
    require(ec || size <= kMaxInputFileBytes, io_detail::excerpt(path), " is larger than ",
            kMaxInputFileBytes >> 20, " MiB");
  }
  std::ifstream f(path, std::ios::binary);
  require(bool(f), "cannot read ", io_detail::excerpt(path), ": ", std::strerror(errno));
  std::string s;
  char buf[1 << 16];
  while (f.read(buf, sizeof buf) || f.gcount() > 0) {
    s.append(buf, std::size_t(f.gcount()));
    require(s.size() <= kMaxInputFileBytes, io_detail::excerpt(path), " is larger than ", kMaxInputFileBytes >> 20,
            " MiB");
  }
  require(!f.bad(), "cannot read ", io_detail::excerpt(path), ": read error");
  return s;
}

}  // namespace relumix
