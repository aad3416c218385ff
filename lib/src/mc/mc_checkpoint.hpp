#pragma once
// Internal: the checkpoint file of mc_simulate (McOptions::checkpoint).
//
// Format: the line "relumix mc checkpoint 1\n", the file's total length (8 bytes, little endian),
// the run's fingerprint (length + text: the plan's fingerprint and the shard), the state
// (McStateData::write), and an FNV-1a 64 checksum of everything before it. Written atomically: a
// temporary file FILE.tmp, fsync, rename over FILE, fsync of the directory; a failed write
// leaves FILE as it was.
#include <string>
#include <vector>

#include "mc/mc_state.hpp"

namespace relumix::mc_detail {

class Checkpoint {
 public:
  Checkpoint(std::string path, const McPlan& plan);
  bool exists() const;
  // Reads FILE into g (the state of the shard g.shard). InputError (one line naming FILE) if it
  // is not a checkpoint, truncated, corrupt, or of another run or shard.
  void load(mc_detail::McStateData& g) const;
  // Writes g with the given holes. InputError if it cannot (FILE is then unchanged).
  void save(const mc_detail::McStateData& g, const std::vector<std::uint64_t>& holes) const;

 private:
  std::string fingerprint(const mc_detail::McStateData& g) const;
  std::string path_;
  McPlan plan_;
};

}  // namespace relumix::mc_detail
