// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Physical replication slots for members (use_slots), as Patroni names and keeps them: the
// primary holds one slot per other member (except a member streaming from another replica, whose
// slot that replica holds), so a replica that falls behind finds its WAL still there instead of
// having to be cloned again; a replica holds the slots of the members that stream from it. A
// physical slot no member wants is dropped (it would keep WAL forever) unless ignore_slots
// matches it. Logical slots are never touched: warden creates none, and dropping a consumer's slot
// loses its data (Patroni 3.0 drops them unless listed; warden deliberately does not).

#ifndef WARDEN_CORE_SLOTS_H_
#define WARDEN_CORE_SLOTS_H_

#include <set>
#include <string>
#include <vector>

#include "warden/core/cluster.h"
#include "warden/core/config.h"

namespace warden {

// Patroni's slot_name_from_member_name: lower case, '-' and '.' become '_', any other character
// outside [a-z0-9_] becomes "u" and its code point in 4 digits, at most 63 characters.
std::string SlotNameForMember(const std::string& member);

// The physical slots `self` must hold: as the leader (`leader` true) one per other member that
// does not stream from another live member; as a replica one per member whose replicatefrom names
// it, the leader excepted. Empty when use_slots is off.
std::set<std::string> WantedMemberSlots(const ClusterView& view, const std::string& self,
                                        bool leader, const DynamicConfig& config);

// Whether an ignore_slots entry matches the physical slot `name` (Patroni's matching: every field
// the entry sets must equal the slot's; database and plugin never match a physical slot).
bool IgnoredSlot(const std::vector<SlotMatcher>& ignore_slots, const std::string& name);

}  // namespace warden

#endif  // WARDEN_CORE_SLOTS_H_
