# Replays requests through Ruby VCR 5 hooked into WebMock, in strict replay mode
# (record: :none, no playback repeats), and prints what each request was served.
#
#   ruby vcr_replay.rb PLAN.json
#
# PLAN: {"files": [{"path": "x.yml", "ignore_key": bool, "requests": [{"method", "url",
# "headers": [[name, value], ...], "body": base64}]}]}. Output: {"files": [{"path",
# "responses": [{"status": int, "body": base64} | {"error": "..."}]}]}.
require "base64"
require "json"
require "net/http"
require "vcr"
require "webmock"

VCR.configure do |config|
  config.hook_into :webmock
  config.allow_http_connections_when_no_cassette = false
end

def send_request(request)
  uri = URI(request["url"])
  http = Net::HTTP.new(uri.host, uri.port)
  http.use_ssl = uri.scheme == "https"
  body = Base64.strict_decode64(request["body"])
  sent = Net::HTTPGenericRequest.new(
    request["method"].upcase, !body.empty?, request["method"].upcase != "HEAD", uri.request_uri
  )
  request["headers"].each { |name, value| sent.add_field(name, value) }
  sent.body = body unless body.empty?
  response = http.request(sent)
  { "status" => response.code.to_i, "body" => Base64.strict_encode64(response.body.to_s) }
rescue VCR::Errors::UnhandledHTTPRequestError, WebMock::NetConnectNotAllowedError => e
  { "error" => e.message.lines.first(3).join.strip }
end

plan = JSON.parse(File.read(ARGV.fetch(0)))
files = plan["files"].map do |file|
  path = file["path"]
  raise "not a .yml cassette: #{path}" unless path.end_with?(".yml") && File.file?(path)

  VCR.configuration.cassette_library_dir = File.dirname(path)
  # What scrub's advice says: match on the URI without the `key` query parameter.
  uri = file["ignore_key"] ? VCR.request_matchers.uri_without_param(:key) : :uri
  options = { record: :none, allow_playback_repeats: false, match_requests_on: [:method, uri] }
  responses = VCR.use_cassette(File.basename(path, ".yml"), options) do
    file["requests"].map { |request| send_request(request) }
  end
  { "path" => path, "responses" => responses }
end
puts JSON.generate({ "files" => files })
