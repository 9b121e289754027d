#include "admission/decision.h"

#include <ostream>

namespace glueguard {

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAdmit:
      return "admit";
    case Outcome::kWait:
      return "wait";
    case Outcome::kReject:
      return "reject";
  }
  return "unknown";
}

const char* DecisionCodeName(DecisionCode code) {
  switch (code) {
    case DecisionCode::kFits:
      return "fits";
    case DecisionCode::kAlreadyAdmitted:
      return "already_admitted";
    case DecisionCode::kNoHeadroom:
      return "no_headroom";
    case DecisionCode::kQueued:
      return "queued";
    case DecisionCode::kNoObservation:
      return "no_observation";
    case DecisionCode::kStaleObservation:
      return "stale_observation";
    case DecisionCode::kCoolOff:
      return "cool_off";
    case DecisionCode::kPriorityFloor:
      return "priority_floor";
    case DecisionCode::kMaxWaitExceeded:
      return "max_wait_exceeded";
    case DecisionCode::kNeverFits:
      return "never_fits";
    case DecisionCode::kMalformed:
      return "malformed";
    case DecisionCode::kUnknownCategory:
      return "unknown_category";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, Outcome outcome) { return out << OutcomeName(outcome); }
std::ostream& operator<<(std::ostream& out, DecisionCode code) { return out << DecisionCodeName(code); }

std::optional<Outcome> ParseOutcome(std::string_view name) {
  for (Outcome o : {Outcome::kAdmit, Outcome::kWait, Outcome::kReject}) {
    if (name == OutcomeName(o)) return o;
  }
  return std::nullopt;
}

std::optional<DecisionCode> ParseDecisionCode(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(DecisionCode::kUnknownCategory); ++i) {
    const auto code = static_cast<DecisionCode>(i);
    if (name == DecisionCodeName(code)) return code;
  }
  return std::nullopt;
}

}  // namespace glueguard
