// Stand-in for llama.cpp tools/server/server-decision.h (absent at llama.cpp de3ff81).
// wllama 3.8.1 was built against llama.cpp b11364-46ca246, which has "decision model" support.
// Here the decision API exists only so that wllama-context.h compiles; every entry point throws.
#pragma once

#include "server-task.h"
#include "server-common.h"
#include "mtmd-helper.h"

#include <stdexcept>
#include <string>
#include <vector>

enum common_decision_type_standin { COMMON_DECISION_TYPE_NONE = 0 };

// no decision task type at this revision: reuse COMPLETION (never posted, fill_task throws first)
#define SERVER_TASK_TYPE_DECISION SERVER_TASK_TYPE_COMPLETION

struct server_decision_question {
    std::string id;
};

struct server_task_result_decision : server_task_result {
    std::vector<float> scores;
    int32_t n_tokens = 0;
    json to_json() override { return json::object(); }
};

struct server_decision_context {
    int type = COMMON_DECISION_TYPE_NONE;
    void init(const llama_model *) {}
    [[noreturn]] static void fail() { throw std::runtime_error("decision models are not supported in this build"); }
    std::vector<server_decision_question> parse_questions(const json &) { fail(); }
    json parse_state(const json &, std::vector<raw_buffer> &) { fail(); }
    size_t n_variants(const server_decision_question &) const { fail(); }
    template <typename... A> void fill_task(A &&...) { fail(); }
    bool can_share_prompt() const { return false; }
    json format_answer(const server_decision_question &, const std::vector<std::vector<float>> &) { fail(); }
};

inline std::vector<server_task> server_decision_group_tasks(std::vector<server_task> tasks, int) { return tasks; }
