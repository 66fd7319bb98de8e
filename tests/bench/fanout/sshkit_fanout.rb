# SSHKit (Kamal's and Capistrano's executor): K commands one after another on every host, all hosts
# at once (in: :parallel, one pooled net-ssh connection per host), as Kamal runs its steps.
#   ruby sshkit_fanout.rb K USER KEY KNOWN_HOSTS HOST...
require 'sshkit'
require 'sshkit/dsl'
include SSHKit::DSL

k, user, key, known_hosts, *hosts = ARGV
k = k.to_i
SSHKit.config.output_verbosity = Logger::ERROR
SSHKit::Backend::Netssh.configure do |ssh|
  ssh.connection_timeout = 10
  ssh.ssh_options = {
    user: user, keys: [key], keys_only: true, auth_methods: %w[publickey],
    user_known_hosts_file: known_hosts, global_known_hosts_file: '/dev/null',
    verify_host_key: :always, non_interactive: true,
  }
end
failed = 0
lock = Mutex.new
on hosts, in: :parallel do
  k.times do
    out = capture(:echo, 'hi')
    lock.synchronize { failed += 1 } unless out == 'hi'
  end
end
exit(failed.zero? ? 0 : 1)
