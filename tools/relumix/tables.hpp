#pragma once
// `relumix tables` regenerates tables/. Each table writer registers itself with
// RELUMIX_TABLE and writes its files through write_table(), which adds the header
// (what the table is and the command that made it). A test regenerates everything into a
// temporary directory and compares it with the checked-in tables/.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace relumix::cli {

struct TableSink {
  std::filesystem::path dir;
  // Writes dir/name with a header in the comment syntax of its extension
  // (.md: a paragraph; .csv: "# " lines; .tex: "% " lines).
  void write(const std::string& name, const std::string& what, const std::string& body);
  std::vector<std::string> written;  // file names, in order
};

bool register_table(int order, std::function<void(TableSink&)> writer);

}  // namespace relumix::cli

#define RELUMIX_TABLE(order, ...) \
  static const bool RELUMIX_CAT(relumix_table_, __LINE__) = ::relumix::cli::register_table(order, __VA_ARGS__)
