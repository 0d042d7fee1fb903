#!/usr/bin/env python3
"""A scripted fake model for driving real coding-agent harnesses offline.

Speaks just enough of two wire protocols:

* OpenAI Responses API (`POST .../responses`, SSE) -- what Codex CLI uses for a
  custom `model_providers.<id>` with `wire_api = "responses"`;
* Anthropic Messages API (`POST .../v1/messages`, SSE or plain JSON, plus
  `.../count_tokens`) -- what Claude Code uses with `ANTHROPIC_BASE_URL`, and what
  Factory Droid uses for a `customModels` entry with `"provider": "anthropic"`;
* OpenAI Chat Completions (`POST .../chat/completions`, SSE) -- Copilot CLI with
  `COPILOT_PROVIDER_BASE_URL`, OpenCode with an `@ai-sdk/openai-compatible` provider;
* Gemini API (`POST /v1beta/models/<m>:streamGenerateContent?alt=sse`, plus
  `:generateContent` and `:countTokens`) -- Gemini CLI with `GOOGLE_GEMINI_BASE_URL`.

The "model" is a fixed script, chosen statelessly from the request itself: the number
of tool results already in the conversation picks the turn.

    turn 0: call the harness's shell tool with --allowed-cmd
    turn 1: call the shell tool with --denied-cmd
    turn 2: answer with a final text message

Requests that do not offer the shell tool (Claude Code's title / summary side calls)
get a short text answer.  Every request is appended to --log (one JSON object per line:
path, turn, tool names offered, tool outputs received, full body), so a test can read
what the agent *saw* after each command.

Bounded: listens on 127.0.0.1 only, stops by itself after --max-requests requests or
--timeout seconds, whichever comes first.
"""

import argparse
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.Lock()
COUNT = 0
STOP = threading.Event()


def log(entry):
    with LOCK:
        with open(ARGS.log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")


def text_of(content):
    """Flatten a tool-result content (str, list of blocks, dict) into text."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(text_of(c) for c in content)
    if isinstance(content, dict):
        for key in ("text", "output", "content", "error"):
            if key in content:
                return text_of(content[key])
    return json.dumps(content)


# ---------------------------------------------------------------- Codex / Responses

def responses_tool_outputs(body):
    outs = []
    for item in body.get("input") or []:
        if isinstance(item, dict) and item.get("type") in (
            "function_call_output",
            "custom_tool_call_output",
            "local_shell_call_output",
        ):
            outs.append(text_of(item.get("output")))
    return outs


def responses_tool_names(body):
    names = []
    for tool in body.get("tools") or []:
        if isinstance(tool, dict):
            names.append(tool.get("name") or tool.get("type"))
    return names


def codex_call(names, cmd, n):
    """A function_call item for whichever shell tool this Codex offers."""
    if "exec_command" in names:
        name, args = "exec_command", {"cmd": cmd, "yield_time_ms": 10000}
    elif "shell_command" in names:
        name, args = "shell_command", {"command": cmd, "timeout_ms": 10000}
    elif "shell" in names:
        name, args = "shell", {"command": ["bash", "-lc", cmd], "timeout_ms": 10000}
    else:
        return None
    return {
        "type": "function_call",
        "id": f"fc_{n}",
        "call_id": f"call_{n}_{uuid.uuid4().hex[:8]}",
        "name": name,
        "arguments": json.dumps(args),
    }


def sse(handler, events):
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-cache")
    handler.send_header("Connection", "close")
    handler.end_headers()
    for name, data in events:
        chunk = f"event: {name}\ndata: {json.dumps(data)}\n\n"
        handler.wfile.write(chunk.encode())
        handler.wfile.flush()
    handler.close_connection = True


def handle_responses(handler, body):
    names = responses_tool_names(body)
    outs = responses_tool_outputs(body)
    turn = len(outs)
    rid = f"resp_{uuid.uuid4().hex[:12]}"
    item = None
    if turn == 0:
        item = codex_call(names, ARGS.allowed_cmd, turn)
    elif turn == 1:
        item = codex_call(names, ARGS.denied_cmd, turn)
    if item is None:
        item = {
            "type": "message",
            "role": "assistant",
            "id": f"msg_{rid}",
            "content": [{"type": "output_text", "text": ARGS.final_text, "annotations": []}],
        }
    log({"api": "responses", "path": handler.path, "turn": turn, "tools": names,
         "tool_outputs": outs, "reply": item, "body": body})
    usage = {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0},
             "output_tokens": 5, "output_tokens_details": {"reasoning_tokens": 0},
             "total_tokens": 15}
    events = [
        ("response.created", {"type": "response.created",
                              "response": {"id": rid, "status": "in_progress"}}),
        ("response.output_item.added", {"type": "response.output_item.added",
                                        "output_index": 0, "item": item}),
    ]
    if item["type"] == "message":
        events.append(("response.output_text.delta", {
            "type": "response.output_text.delta", "item_id": item["id"],
            "output_index": 0, "content_index": 0, "delta": ARGS.final_text}))
    events += [
        ("response.output_item.done", {"type": "response.output_item.done",
                                       "output_index": 0, "item": item}),
        ("response.completed", {"type": "response.completed",
                                "response": {"id": rid, "status": "completed",
                                             "output": [item], "usage": usage}}),
    ]
    sse(handler, events)


def handle_chat(handler, body):
    """Chat Completions (wire_api = "chat"), streaming."""
    msgs = body.get("messages") or []
    outs = [text_of(m.get("content")) for m in msgs if m.get("role") == "tool"]
    names = [(t.get("function") or {}).get("name") for t in body.get("tools") or []]
    turn = len(outs)
    delta = None
    if turn < 2:
        cmd = ARGS.allowed_cmd if turn == 0 else ARGS.denied_cmd
        for name, args in (("exec_command", {"cmd": cmd}), ("shell_command", {"command": cmd}),
                           ("shell", {"command": ["bash", "-lc", cmd]}),
                           # Copilot CLI's and OpenCode's shell tools.
                           ("bash", {"command": cmd, "description": f"scripted step {turn}"})):
            if name in names:
                delta = {"role": "assistant", "tool_calls": [{
                    "index": 0, "id": f"call_{turn}", "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args)}}]}
                finish = "tool_calls"
                break
    if delta is None:
        delta, finish = {"role": "assistant", "content": ARGS.final_text}, "stop"
    log({"api": "chat", "path": handler.path, "turn": turn, "tools": names,
         "tool_outputs": outs, "reply": delta, "body": body})
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Connection", "close")
    handler.end_headers()
    cid = f"chatcmpl-{uuid.uuid4().hex[:8]}"
    for chunk in ({"id": cid, "object": "chat.completion.chunk", "model": body.get("model"),
                   "choices": [{"index": 0, "delta": delta, "finish_reason": None}]},
                  {"id": cid, "object": "chat.completion.chunk", "model": body.get("model"),
                   "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}):
        handler.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
    handler.wfile.write(b"data: [DONE]\n\n")
    handler.close_connection = True


# ---------------------------------------------------------------- Claude / Messages

def messages_tool_outputs(body):
    outs = []
    for msg in body.get("messages") or []:
        content = msg.get("content")
        if msg.get("role") == "user" and isinstance(content, list):
            for block in content:
                if isinstance(block, dict) and block.get("type") == "tool_result":
                    outs.append({"is_error": bool(block.get("is_error")),
                                 "text": text_of(block.get("content"))})
    return outs


def handle_messages(handler, body):
    names = [t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)]
    outs = messages_tool_outputs(body)
    # Claude Code's shell tool is Bash; Factory Droid's (with an Anthropic custom model)
    # is Execute, which also wants a summary and a self-declared risk level.
    shell = "Bash" if "Bash" in names else ("Execute" if "Execute" in names else None)
    main_agent = shell is not None
    turn = len(outs) if main_agent else -1
    model = body.get("model", "claude-fake")
    if main_agent and turn in (0, 1):
        cmd = ARGS.allowed_cmd if turn == 0 else ARGS.denied_cmd
        if shell == "Bash":
            args = {"command": cmd, "description": f"scripted step {turn}"}
        else:
            args = {"command": cmd, "summary": f"Run scripted step number {turn}",
                    "riskLevel": "low", "riskLevelReason": "A scripted test step in a scratch repository."}
        block = {"type": "tool_use", "id": f"toolu_{turn}_{uuid.uuid4().hex[:10]}",
                 "name": shell, "input": args}
        stop = "tool_use"
    else:
        block = {"type": "text", "text": ARGS.final_text if main_agent else "Scripted test"}
        stop = "end_turn"
    log({"api": "messages", "path": handler.path, "turn": turn, "tools": names,
         "model": model, "stream": bool(body.get("stream")), "tool_outputs": outs,
         "reply": block, "body": body})
    mid = f"msg_{uuid.uuid4().hex[:12]}"
    usage = {"input_tokens": 10, "output_tokens": 5,
             "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
    if not body.get("stream"):
        reply = {"id": mid, "type": "message", "role": "assistant", "model": model,
                 "content": [block], "stop_reason": stop, "stop_sequence": None,
                 "usage": usage}
        data = json.dumps(reply).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        return
    if block["type"] == "tool_use":
        start = dict(block, input={})
        delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
    else:
        start = {"type": "text", "text": ""}
        delta = {"type": "text_delta", "text": block["text"]}
    sse(handler, [
        ("message_start", {"type": "message_start", "message": {
            "id": mid, "type": "message", "role": "assistant", "model": model,
            "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage}}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": start}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta",
                           "delta": {"stop_reason": stop, "stop_sequence": None},
                           "usage": {"output_tokens": 5}}),
        ("message_stop", {"type": "message_stop"}),
    ])


# ---------------------------------------------------------------- Gemini API

def gemini_tool_outputs(body):
    outs = []
    for content in body.get("contents") or []:
        for part in content.get("parts") or []:
            if isinstance(part, dict) and "functionResponse" in part:
                outs.append(text_of((part["functionResponse"] or {}).get("response")))
    return outs


def handle_gemini(handler, body, stream):
    names = [d.get("name") for t in body.get("tools") or [] if isinstance(t, dict)
             for d in t.get("functionDeclarations") or [] if isinstance(d, dict)]
    outs = gemini_tool_outputs(body)
    main_agent = "run_shell_command" in names
    turn = len(outs) if main_agent else -1
    if main_agent and turn in (0, 1):
        cmd = ARGS.allowed_cmd if turn == 0 else ARGS.denied_cmd
        part = {"functionCall": {"name": "run_shell_command",
                                 "args": {"command": cmd, "description": f"scripted step {turn}"}}}
    else:
        # Side calls (routing, next-speaker checks) ask for JSON; a final answer is text.
        wants_json = (body.get("generationConfig") or {}).get("responseMimeType") == "application/json"
        part = {"text": json.dumps({"reasoning": "scripted", "next_speaker": "user",
                                    "model_choice": "flash"}) if wants_json and not main_agent
                else ARGS.final_text}
    log({"api": "gemini", "path": handler.path, "turn": turn, "tools": names,
         "tool_outputs": outs, "reply": part, "body": body})
    chunk = {"candidates": [{"content": {"role": "model", "parts": [part]},
                             "finishReason": "STOP", "index": 0}],
             "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5,
                               "totalTokenCount": 15},
             "modelVersion": "gemini-2.5-flash"}
    if not stream:
        handler._json(200, chunk)
        return
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(f"data: {json.dumps(chunk)}\r\n\r\n".encode())
    handler.close_connection = True


# ---------------------------------------------------------------- server

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):  # quiet; everything goes to --log
        pass

    def _count(self):
        global COUNT
        with LOCK:
            COUNT += 1
            if COUNT >= ARGS.max_requests:
                STOP.set()

    def _json(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._count()
        log({"api": "get", "path": self.path})
        path = self.path.split("?")[0]
        if path.endswith("/models"):
            # Codex's /models wants {"models": [...]}; OpenAI's wants {"data": [...]}
            self._json(200, {"object": "list", "data": [], "models": []})
        else:
            self._json(404, {"error": {"type": "not_found", "message": "fake model: no " + path}})

    def do_HEAD(self):
        self._count()
        self.send_response(200)
        self.end_headers()

    def do_POST(self):
        self._count()
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.headers.get("Content-Encoding", "").lower() == "zstd":
            log({"api": "error", "path": self.path, "error": "zstd body not supported"})
            self._json(400, {"error": {"message": "fake model: compressed body"}})
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            log({"api": "error", "path": self.path, "raw": raw[:2000].decode("latin-1")})
            self._json(400, {"error": {"message": "fake model: bad json"}})
            return
        path = self.path.split("?")[0]
        try:
            if path.endswith("/count_tokens"):
                log({"api": "count_tokens", "path": self.path})
                self._json(200, {"input_tokens": 10})
            elif path.endswith("/messages"):
                handle_messages(self, body)
            elif path.endswith("/responses"):
                handle_responses(self, body)
            elif path.endswith("/chat/completions"):
                handle_chat(self, body)
            elif path.endswith(":countTokens"):
                log({"api": "count_tokens", "path": self.path})
                self._json(200, {"totalTokens": 10})
            elif path.endswith(":streamGenerateContent"):
                handle_gemini(self, body, True)
            elif path.endswith(":generateContent"):
                handle_gemini(self, body, False)
            else:
                log({"api": "unknown", "path": self.path, "body": body})
                self._json(404, {"error": {"type": "not_found", "message": "fake model: " + path}})
        except (BrokenPipeError, ConnectionResetError):
            pass


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--port-file", help="write the chosen port here once listening")
    ap.add_argument("--log", required=True)
    ap.add_argument("--max-requests", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds")
    ap.add_argument("--allowed-cmd", default="echo hello > marker_allowed.txt")
    ap.add_argument("--denied-cmd", default="git reset --hard")
    ap.add_argument("--final-text", default="All scripted steps are done.")
    ARGS = ap.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    if ARGS.port_file:
        with open(ARGS.port_file + ".tmp", "w") as fh:
            fh.write(str(port))
        os.replace(ARGS.port_file + ".tmp", ARGS.port_file)
    print(f"fake model listening on 127.0.0.1:{port}", file=sys.stderr, flush=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    STOP.wait(ARGS.timeout)
    time.sleep(0.2)
    server.shutdown()
    server.server_close()
    print(f"fake model stopped after {COUNT} requests", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
