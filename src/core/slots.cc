// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "warden/core/slots.h"

#include <cstdint>

#include "absl/strings/str_format.h"

namespace warden {
namespace {

// The code points of a UTF-8 string (an invalid byte counts as itself, as Latin-1 would).
std::vector<uint32_t> CodePoints(const std::string& text) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const int extra = byte >= 0xF0 ? 3 : byte >= 0xE0 ? 2 : byte >= 0xC0 ? 1 : 0;
    uint32_t code = extra == 0 ? byte : byte & (0x3F >> extra);
    bool valid = i + extra < text.size();
    for (int k = 1; valid && k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      code = (code << 6) | (next & 0x3F);
    }
    out.push_back(valid ? code : byte);
    i += valid ? extra + 1 : 1;
  }
  return out;
}

uint32_t Lower(uint32_t c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

}  // namespace

std::string SlotNameForMember(const std::string& member) {
  std::string out;
  for (uint32_t c : CodePoints(member)) {
    c = Lower(c);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
      out.push_back(static_cast<char>(c));
    } else if (c == '-' || c == '.') {
      out.push_back('_');
    } else {
      out += absl::StrFormat("u%04d", c);
    }
  }
  return out.substr(0, 63);
}

std::set<std::string> WantedMemberSlots(const ClusterView& view, const std::string& self,
                                        bool leader, const DynamicConfig& config) {
  std::set<std::string> slots;
  if (!config.use_slots) return slots;
  const std::string leader_name = view.leader.has_value() ? view.leader->name : "";
  for (const Member& m : view.members) {
    if (m.name == self) continue;
    const std::string& from = m.tags.replicatefrom;
    const bool wants_me = leader ? from.empty() || from == self || view.FindMember(from) == nullptr
                                 : from == self && m.name != leader_name;
    if (wants_me) slots.insert(SlotNameForMember(m.name));
  }
  return slots;
}

bool IgnoredSlot(const std::vector<SlotMatcher>& ignore_slots, const std::string& name) {
  for (const SlotMatcher& m : ignore_slots) {
    if ((m.name.empty() || m.name == name) && (m.type.empty() || m.type == "physical") &&
        m.database.empty() && m.plugin.empty()) {
      return true;
    }
  }
  return false;
}

}  // namespace warden
