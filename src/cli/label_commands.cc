// `entente label check | canon | render | dominates | join`: labels and clearances against a
// policy file (docs/formats/policy.md, docs/formats/label.md). LABEL arguments also accept
// banners in any partner's marking. Exit codes: 0 yes/ok, 1 no, 2 bad input.
#include <iostream>
#include <memory>

#include "cli/cli.h"
#include "label/banner.h"
#include "label/label.h"
#include "label/policy.h"

namespace entente::cli {
namespace {

using label::Label;
using label::Policy;

nlohmann::json LabelJson(const Label& l) {
  const Policy& policy = l.policy();
  nlohmann::json categories = nlohmann::json::array();
  for (const label::Category& c : l.categories()) {
    const label::Tagset& tagset = policy.tagset(c.tagset);
    nlohmann::json values = nlohmann::json::array();
    c.values.ForEach([&](label::ValueIndex v) { values.push_back(policy.value(c.tagset, v)); });
    categories.push_back({{"tagset", tagset.id},
                          {"kind", std::string(label::KindName(tagset.kind))},
                          {"values", values}});
  }
  nlohmann::json banners = nlohmann::json::object();
  for (size_t p = 0; p < policy.partners().size(); ++p) {
    banners[policy.partner(label::PartnerIndex(static_cast<uint16_t>(p))).code] =
        label::RenderBanner(l, label::PartnerIndex(p));
  }
  return {{"label", l.ToString()},
          {"policy", policy.id()},
          {"level", policy.level(l.level()).id},
          {"categories", categories},
          {"banners", banners}};
}

int RunCheck(const std::string& policy_path, const std::string& clearance_text,
             const std::string& label_text, bool json) {
  auto policy = label::LoadPolicyFile(policy_path);
  if (!policy) return Fail(policy.error());
  auto clearance = label::ParseClearance(*policy, clearance_text);
  if (!clearance) return Fail(clearance.error());
  auto l = label::ParseLabelOrBanner(*policy, label_text);
  if (!l) return Fail(l.error());
  label::AccessDecision decision = label::Access(*clearance, *l);
  if (json) {
    nlohmann::json j = {{"admitted", decision.admitted()},
                        {"clearance", clearance->ToString()},
                        {"label", l->ToString()}};
    if (!decision.admitted()) j["reason"] = decision.Reason();
    PrintJson(j);
  } else {
    std::cout << (decision.admitted() ? "admitted" : decision.Reason()) << "\n";
  }
  return decision.admitted() ? kExitOk : kExitNo;
}

int RunCanon(const std::string& policy_path, const std::string& text, bool json) {
  auto policy = label::LoadPolicyFile(policy_path);
  if (!policy) return Fail(policy.error());
  auto l = label::ParseLabelOrBanner(*policy, text);
  if (!l) return Fail(l.error());
  if (json) {
    PrintJson(LabelJson(*l));
  } else {
    std::cout << l->ToString() << "\n";
  }
  return kExitOk;
}

int RunRender(const std::string& policy_path, const std::string& viewer, const std::string& text,
              bool json) {
  auto policy = label::LoadPolicyFile(policy_path);
  if (!policy) return Fail(policy.error());
  auto l = label::ParseLabelOrBanner(*policy, text);
  if (!l) return Fail(l.error());
  auto banner = label::RenderBanner(*l, viewer);
  if (!banner) return Fail(banner.error());
  if (json) {
    PrintJson({{"label", l->ToString()}, {"for", viewer}, {"banner", *banner}});
  } else {
    std::cout << *banner << "\n";
  }
  return kExitOk;
}

int RunDominates(const std::string& policy_path, const std::string& a_text,
                 const std::string& b_text, bool json) {
  auto policy = label::LoadPolicyFile(policy_path);
  if (!policy) return Fail(policy.error());
  auto a = label::ParseLabelOrBanner(*policy, a_text);
  if (!a) return Fail(a.error());
  auto b = label::ParseLabelOrBanner(*policy, b_text);
  if (!b) return Fail(b.error());
  bool dominates = label::Dominates(*a, *b);
  if (json) {
    PrintJson({{"dominates", dominates}, {"a", a->ToString()}, {"b", b->ToString()}});
  } else {
    std::cout << a->ToString() << (dominates ? " dominates " : " does not dominate ")
              << b->ToString() << "\n";
  }
  return dominates ? kExitOk : kExitNo;
}

int RunJoin(const std::string& policy_path, const std::string& a_text, const std::string& b_text,
            bool json) {
  auto policy = label::LoadPolicyFile(policy_path);
  if (!policy) return Fail(policy.error());
  auto a = label::ParseLabelOrBanner(*policy, a_text);
  if (!a) return Fail(a.error());
  auto b = label::ParseLabelOrBanner(*policy, b_text);
  if (!b) return Fail(b.error());
  auto joined = label::Join(*a, *b);
  if (!joined) return Fail(joined.error());
  if (json) {
    PrintJson(LabelJson(*joined));
  } else {
    std::cout << joined->ToString() << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddLabelCommands(CLI::App& app, int* exit_code) {
  auto* group =
      app.add_subcommand("label", "Security labels: check, canonicalise, render, compare");
  group->require_subcommand(1);
  group->footer(
      "LABEL arguments take a label (USKR;S;P:REL=KOR,USA) or a banner in any partner's\n"
      "marking ('SECRET//REL TO USA, KOR'). Formats: docs/formats/label.md, policy.md.");

  // Options live as long as the callbacks that hold them, i.e. as long as `app`.
  struct CheckOptions {
    std::string policy, clearance, label;
    bool json = false;
  };
  auto check_opts = std::make_shared<CheckOptions>();
  auto* check =
      group->add_subcommand("check", "Whether a clearance admits a label (exit 0 yes, 1 no)");
  check->footer(
      "Prints `admitted`, or the reason for a denial such as `denied: REL does not include JPN`.\n"
      "Example:\n"
      "  entente label check --policy examples/policy-uskr.yaml \\\n"
      "      --clearance 'USKR;TS;REL=USA' --label 'USKR;S;P:REL=KOR,USA'");
  check->add_option("--policy", check_opts->policy, "Policy file (YAML)")->required();
  check->add_option("--clearance", check_opts->clearance, "Clearance, e.g. USKR;TS;REL=USA")
      ->required();
  check->add_option("--label", check_opts->label, "Label or banner")->required();
  check->add_flag("--json", check_opts->json, "Print JSON");
  check->callback([check_opts, exit_code] {
    *exit_code =
        RunCheck(check_opts->policy, check_opts->clearance, check_opts->label, check_opts->json);
  });

  struct CanonOptions {
    std::string policy, text;
    bool json = false;
  };
  auto canon_opts = std::make_shared<CanonOptions>();
  auto* canon = group->add_subcommand("canon", "Print the canonical form of a label or banner");
  canon->footer(
      "Sorts categories and values and drops repeated values; a banner is read in any partner's\n"
      "marking. --json also shows the level, categories and each partner's banner.\n"
      "Example:\n"
      "  entente label canon --policy examples/policy-uskr.yaml 'II급비밀//REL TO KOR, USA'");
  canon->add_option("--policy", canon_opts->policy, "Policy file (YAML)")->required();
  canon->add_option("TEXT", canon_opts->text, "Label or banner")->required();
  canon->add_flag("--json", canon_opts->json, "Print JSON");
  canon->callback([canon_opts, exit_code] {
    *exit_code = RunCanon(canon_opts->policy, canon_opts->text, canon_opts->json);
  });

  struct RenderOptions {
    std::string policy, viewer, label;
    bool json = false;
  };
  auto render_opts = std::make_shared<RenderOptions>();
  auto* render = group->add_subcommand("render", "Show a label as a partner's national banner");
  render->footer(
      "Example:\n"
      "  entente label render --policy examples/policy-uskr.yaml --for KOR \\\n"
      "      'USKR;S;P:REL=KOR,USA;R:SAP=ALPHA'\n"
      "  II급비밀//SAP ALPHA//REL TO KOR, USA");
  render->add_option("--policy", render_opts->policy, "Policy file (YAML)")->required();
  render->add_option("--for", render_opts->viewer, "The reader's partner code, e.g. USA")
      ->required();
  render->add_option("LABEL", render_opts->label, "Label or banner")->required();
  render->add_flag("--json", render_opts->json, "Print JSON");
  render->callback([render_opts, exit_code] {
    *exit_code =
        RunRender(render_opts->policy, render_opts->viewer, render_opts->label, render_opts->json);
  });

  struct PairOptions {
    std::string policy, a, b;
    bool json = false;
  };
  auto dominates_opts = std::make_shared<PairOptions>();
  auto* dominates =
      group->add_subcommand("dominates", "Whether label A dominates label B (exit 0 yes, 1 no)");
  dominates->footer(
      "A dominates B when every clearance that admits A also admits B.\n"
      "Example:\n"
      "  entente label dominates --policy examples/policy-uskr.yaml \\\n"
      "      'USKR;TS;P:REL=USA' 'USKR;S;P:REL=KOR,USA'");
  dominates->add_option("--policy", dominates_opts->policy, "Policy file (YAML)")->required();
  dominates->add_option("A", dominates_opts->a, "Label or banner")->required();
  dominates->add_option("B", dominates_opts->b, "Label or banner")->required();
  dominates->add_flag("--json", dominates_opts->json, "Print JSON");
  dominates->callback([dominates_opts, exit_code] {
    *exit_code = RunDominates(dominates_opts->policy, dominates_opts->a, dominates_opts->b,
                              dominates_opts->json);
  });

  auto join_opts = std::make_shared<PairOptions>();
  auto* join = group->add_subcommand("join", "The least label that dominates both A and B");
  join->footer(
      "The label for a reply to both or an aggregate: the higher level, all compartments, the\n"
      "partners both are releasable to. Exit 2 if the REL sets do not intersect.\n"
      "Example:\n"
      "  entente label join --policy examples/policy-uskr.yaml \\\n"
      "      'USKR;S;P:REL=KOR,USA' 'USKR;C;P:REL=USA;R:SAP=ALPHA'");
  join->add_option("--policy", join_opts->policy, "Policy file (YAML)")->required();
  join->add_option("A", join_opts->a, "Label or banner")->required();
  join->add_option("B", join_opts->b, "Label or banner")->required();
  join->add_flag("--json", join_opts->json, "Print JSON");
  join->callback([join_opts, exit_code] {
    *exit_code = RunJoin(join_opts->policy, join_opts->a, join_opts->b, join_opts->json);
  });
}

}  // namespace entente::cli
