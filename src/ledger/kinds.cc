#include "ledger/kinds.h"

#include <array>
#include <nlohmann/json.hpp>

namespace entente::ledger {
namespace {

using T = MetaType;
constexpr bool kReq = true;
constexpr bool kOpt = false;

// Schemas. Event ids inside meta are 32 lower-case hex digits, keys base64url; times are Unix
// ms (docs/formats/kinds.md, "Metadata rules").
constexpr MetaField kSpaceCharter[] = {{"name", T::kString, kReq},
                                       {"partners", T::kStringArray, kReq},
                                       {"policy", T::kString, kReq},
                                       {"policy_sha256", T::kString, kReq}};
constexpr MetaField kSpaceJoin[] = {{"partner", T::kString, kReq},
                                    {"charter_event", T::kString, kReq}};
constexpr MetaField kSpacePolicy[] = {{"policy", T::kString, kReq},
                                      {"policy_sha256", T::kString, kReq}};
constexpr MetaField kMemberEnroll[] = {{"member", T::kString, kReq},
                                       {"partner", T::kString, kReq},
                                       {"roles", T::kStringArray, kReq},
                                       {"clearance", T::kString, kReq},
                                       {"name", T::kString, kOpt}};  // since registry r2
constexpr MetaField kMemberUpdate[] = {{"member", T::kString, kReq},
                                       {"roles", T::kStringArray, kOpt},
                                       {"clearance", T::kString, kOpt}};
constexpr MetaField kMemberRevoke[] = {{"member", T::kString, kReq}, {"reason", T::kString, kOpt}};
constexpr MetaField kDeviceAdd[] = {
    {"member", T::kString, kReq}, {"device_key", T::kString, kReq}, {"name", T::kString, kOpt}};
constexpr MetaField kDeviceKeys[] = {{"encryption_key", T::kString, kReq},
                                     {"not_after_ms", T::kInteger, kReq}};
constexpr MetaField kDeviceRevoke[] = {{"device_key", T::kString, kReq},
                                       {"reason", T::kString, kOpt}};
constexpr MetaField kChannelCreate[] = {{"channel", T::kString, kReq},
                                        {"ceiling", T::kString, kReq},
                                        {"members", T::kStringArray, kOpt}};  // since r2
constexpr MetaField kChannelUpdate[] = {{"channel", T::kString, kReq},
                                        {"ceiling", T::kString, kOpt},
                                        {"members", T::kStringArray, kOpt}};  // since r2
constexpr MetaField kMessagePost[] = {{"channel", T::kString, kReq},
                                      {"reply_to", T::kString, kOpt}};
constexpr MetaField kMessageRedact[] = {{"target", T::kString, kReq}};
constexpr MetaField kConsultRequest[] = {{"precedence", T::kString, kReq},
                                         {"counterparts", T::kStringArray, kReq},
                                         {"ack_deadline_ms", T::kInteger, kReq},
                                         {"escalation", T::kObject, kReq}};
constexpr MetaField kConsultStep[] = {{"consultation", T::kString, kReq}};
constexpr MetaField kConsultTask[] = {{"consultation", T::kString, kReq},
                                      {"task", T::kString, kReq},
                                      {"owner", T::kString, kOpt},
                                      {"resolve_by_ms", T::kInteger, kOpt},
                                      {"workstream", T::kString, kOpt}};
constexpr MetaField kConsultEscalate[] = {{"consultation", T::kString, kReq},
                                          {"level", T::kString, kReq},
                                          {"rule", T::kInteger, kReq},
                                          {"loop", T::kInteger, kReq}};
constexpr MetaField kDecisionVersion[] = {{"decision", T::kString, kReq},
                                          {"version", T::kInteger, kReq},
                                          {"text_sha256", T::kString, kReq}};
constexpr MetaField kDecisionVote[] = {{"decision", T::kString, kReq},
                                       {"version", T::kInteger, kReq},
                                       {"text_sha256", T::kString, kReq}};
constexpr MetaField kExerciseStartMeta[] = {{"name", T::kString, kReq},
                                            {"scenario_sha256", T::kString, kReq}};
constexpr MetaField kExerciseInjectMeta[] = {{"inject", T::kString, kReq},
                                             {"to", T::kStringArray, kReq}};
constexpr MetaField kExerciseEndMeta[] = {{"outcome", T::kString, kOpt}};
constexpr MetaField kDocVersion[] = {{"document", T::kString, kReq},
                                     {"version", T::kInteger, kReq},
                                     {"text_sha256", T::kString, kReq}};
constexpr MetaField kStatementVersion[] = {{"document", T::kString, kReq},
                                           {"version", T::kInteger, kReq},
                                           {"text_sha256", T::kString, kReq},
                                           {"embargo_ms", T::kInteger, kOpt}};  // since r3
constexpr MetaField kMinutesVersion[] = {{"document", T::kString, kReq},
                                         {"version", T::kInteger, kReq},
                                         {"text_sha256", T::kString, kReq},
                                         {"actions", T::kObject, kOpt}};  // since r3
constexpr MetaField kDocStep[] = {{"document", T::kString, kReq}, {"version", T::kInteger, kOpt}};
// Optional in the schema for compatibility; agenda::Book::Check requires both on an approval.
constexpr MetaField kDocApprove[] = {{"document", T::kString, kReq},
                                     {"version", T::kInteger, kOpt},
                                     {"text_sha256", T::kString, kOpt}};  // since r3
constexpr MetaField kWorkstream[] = {
    {"workstream", T::kString, kReq}, {"status", T::kString, kOpt}, {"due_ms", T::kInteger, kOpt}};
constexpr MetaField kWorkstreamUpdate[] = {{"workstream", T::kString, kReq},
                                           {"status", T::kString, kOpt},
                                           {"due_ms", T::kInteger, kOpt},
                                           {"update", T::kString, kOpt},      // since r3
                                           {"milestone", T::kString, kOpt}};  // since r3
constexpr MetaField kMeeting[] = {
    {"meeting", T::kString, kReq}, {"starts_ms", T::kInteger, kOpt}, {"level", T::kString, kOpt}};

constexpr KindInfo kKinds[] = {
    {0x0001, "space.charter", false, kSpaceCharter},
    {0x0002, "space.join", false, kSpaceJoin},
    {0x0003, "space.policy", false, kSpacePolicy},
    {0x0100, "member.enroll", false, kMemberEnroll},
    {0x0101, "member.update", false, kMemberUpdate},
    {0x0102, "member.revoke", false, kMemberRevoke},
    {0x0110, "device.add", false, kDeviceAdd},
    {0x0111, "device.keys", false, kDeviceKeys},
    {0x0112, "device.revoke", false, kDeviceRevoke},
    {0x0200, "channel.create", true, kChannelCreate},
    {0x0201, "channel.update", true, kChannelUpdate},
    {0x0300, "message.post", true, kMessagePost},
    {0x0301, "message.redact", false, kMessageRedact},
    {0x0400, "consult.request", true, kConsultRequest},
    {0x0401, "consult.ack", false, kConsultStep},
    {0x0402, "consult.convene", true, kConsultStep},
    {0x0403, "consult.report", true, kConsultStep},
    {0x0404, "consult.task.add", true, kConsultTask},
    {0x0405, "consult.task.done", false, kConsultTask},
    {0x0406, "consult.withdraw", true, kConsultStep},
    {0x0407, "consult.close", true, kConsultStep},
    {0x0408, "consult.reopen", true, kConsultStep},
    {0x0409, "consult.review", true, kConsultStep},
    {0x040a, "consult.escalate", false, kConsultEscalate},
    {0x0500, "decision.propose", true, kDecisionVersion},
    {0x0501, "decision.revise", true, kDecisionVersion},
    {0x0502, "decision.approve", false, kDecisionVote},
    {0x0503, "decision.object", true, kDecisionVote},
    {0x0600, "exercise.start", true, kExerciseStartMeta},
    {0x0601, "exercise.inject", true, kExerciseInjectMeta},
    {0x0602, "exercise.end", true, kExerciseEndMeta},
    {0x0700, "statement.draft", true, kStatementVersion},
    {0x0701, "statement.revise", true, kStatementVersion},
    {0x0702, "statement.comment", true, kDocStep},
    {0x0703, "statement.approve", false, kDocApprove},
    {0x0704, "statement.release", true, kDocStep},
    {0x0710, "workstream.create", true, kWorkstream},
    {0x0711, "workstream.update", true, kWorkstreamUpdate},
    {0x0720, "meeting.schedule", true, kMeeting},
    {0x0721, "meeting.minutes", true, kMinutesVersion},
    {0x0722, "meeting.approve", false, kDocApprove},
};

bool HasType(const nlohmann::json& v, MetaType type) {
  switch (type) {
    case MetaType::kString:
      return v.is_string();
    case MetaType::kInteger:
      return v.is_number_integer();
    case MetaType::kBoolean:
      return v.is_boolean();
    case MetaType::kObject:
      return v.is_object();
    case MetaType::kStringArray:
      if (!v.is_array()) return false;
      for (const auto& e : v) {
        if (!e.is_string()) return false;
      }
      return true;
  }
  return false;
}

std::string_view TypeName(MetaType type) {
  switch (type) {
    case MetaType::kString:
      return "a string";
    case MetaType::kInteger:
      return "an integer";
    case MetaType::kBoolean:
      return "a boolean";
    case MetaType::kObject:
      return "an object";
    case MetaType::kStringArray:
      return "an array of strings";
  }
  return "?";
}

}  // namespace

std::span<const KindInfo> AllKinds() { return kKinds; }

const KindInfo* FindKind(uint16_t code) {
  for (const KindInfo& k : kKinds) {
    if (k.code == code) return &k;
  }
  return nullptr;
}

const KindInfo* FindKind(std::string_view name) {
  for (const KindInfo& k : kKinds) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

Status ValidateMeta(uint16_t kind, ByteView meta, bool has_envelope) {
  const KindInfo* info = FindKind(kind);
  if (info == nullptr) return NotFound("kind " + std::to_string(kind) + " is not registered");
  std::string prefix = std::string(info->name) + " meta: ";
  if (has_envelope != info->has_envelope) {
    return InvalidArgument(std::string(info->name) +
                           (info->has_envelope ? ": needs an envelope" : ": takes no envelope"));
  }
  nlohmann::json object = nlohmann::json::object();
  if (!meta.empty()) {
    object = nlohmann::json::parse(meta.begin(), meta.end(), nullptr, false);
    if (object.is_discarded() || !object.is_object()) {
      return InvalidArgument(prefix + "not a JSON object");
    }
  }
  for (const MetaField& field : info->meta) {
    auto it = object.find(std::string(field.name));
    if (it == object.end()) {
      if (field.required)
        return InvalidArgument(prefix + "missing \"" + std::string(field.name) + "\"");
      continue;
    }
    if (!HasType(*it, field.type)) {
      return InvalidArgument(prefix + "\"" + std::string(field.name) + "\" must be " +
                             std::string(TypeName(field.type)));
    }
  }
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const MetaField& field : info->meta) known = known || field.name == key;
    if (!known) return InvalidArgument(prefix + "unknown field \"" + key + "\"");
  }
  return {};
}

}  // namespace entente::ledger
