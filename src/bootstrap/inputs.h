#pragma once
// Checks of bootstrap's plain-string inputs, each failing with one
// actionable line (kInvalidInput), and the GitHub repository taken from the
// git remote when --github-repo is not given.

#include <string>
#include <string_view>

#include "util/error.h"

namespace eem::bootstrap {

// ECR repository names (CreateRepository: 2-256 characters of
// (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*). A full
// image URI gets its own message naming the part to pass.
util::Result<void> validate_repository_name(std::string_view name);

// IAM role names: 1-64 characters of [A-Za-z0-9+=,.@_-] (CreateRole);
// `flag` names the option in the message.
util::Result<void> validate_role_name(std::string_view name, std::string_view flag = "--role-name");

// ECS service and cluster names: 1-255 letters, digits, hyphens and
// underscores (CreateExpressGatewayService serviceName, CreateCluster
// clusterName). `flag` names the option in the message.
util::Result<void> validate_ecs_name(std::string_view flag, std::string_view name);

// OWNER/REPO as GitHub allows them: owner 1-39 of [A-Za-z0-9-], repository
// 1-100 of [A-Za-z0-9._-] and not "." or "..".
util::Result<void> validate_github_repo(std::string_view repo);

// OWNER/REPO from a github.com remote URL: https://github.com/O/R(.git),
// git@github.com:O/R(.git), ssh://git@github.com/O/R(.git).
util::Result<std::string> parse_github_remote(std::string_view url);

// Runs `git remote get-url origin` in the current directory and parses it.
util::Result<std::string> github_repo_from_git();

// The remote's default branch, from `git symbolic-ref refs/remotes/origin/HEAD`
// in the current directory (set by clone); kNotFound when it is not set.
util::Result<std::string> default_branch_from_git();

}  // namespace eem::bootstrap
