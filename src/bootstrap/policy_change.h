#pragma once
// What an update of the inline policy changes, in actions rather than JSON
// lines: an account set up by an older shipctl lacks what newer commands
// call (issue 12: ecr:DescribeImages and ecr:DescribeRepositories for verify).

#include <string>
#include <string_view>
#include <vector>

namespace eem::bootstrap {

struct PolicyChange {
  std::vector<std::string> added;    // "ecr:DescribeImages (verify)", in the desired policy's order
  std::vector<std::string> removed;  // "ecr:GetDownloadUrlForLayer"
};

// The (action, resource) pairs the Allow statements of `desired` grant and
// those of `observed` do not, and the reverse; added ones name the workflow
// commands that need them (aws::commands_needing). Empty when either
// document does not parse.
PolicyChange policy_change(std::string_view observed, std::string_view desired);

// Whether the Allow statements of `policy` grant every row of
// aws::opt_in_permissions() (login --public) on "*". False when it does not
// parse.
bool grants_ecr_public_login(std::string_view policy);

// ": adds A (verify), B (verify); removes C", or "" when nothing changes in
// actions (a Sid or formatting only).
std::string policy_change_text(const PolicyChange& change);

}  // namespace eem::bootstrap
