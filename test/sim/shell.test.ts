/** The built-in shell of simulated containers, without any transport. */
import { describe, expect, it } from 'vitest';
import { execError, expand, machineFor, parse, Session, type Machine } from '../../src/sim/shell.js';

const KMUX_SHELL = 'command -v bash >/dev/null 2>&1 && exec bash || exec sh';

function pod(image = 'ghcr.io/kmux-sim/api:1.2.3', extra: any = {}): any {
  return {
    metadata: { name: 'api-7f9c-x2x9z', namespace: 'shop', uid: 'u-1' },
    spec: {
      nodeName: 'worker-1',
      containers: [{
        name: 'api', image,
        env: [{ name: 'APP_ENV', value: 'dev' }, { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
        volumeMounts: [{ name: 'config', mountPath: '/config' }],
        ...extra,
      }],
      volumes: [{ name: 'config', configMap: { name: 'api-config' } }],
    },
    status: { podIP: '10.244.1.7' },
  };
}

const configMap = (name: string) => (name === 'api-config' ? { 'app.yaml': 'port: 8080\n' } : undefined);

interface Run {
  session: Session;
  out: () => string;
  err: () => string;
  code: () => number | undefined;
  type(s: string): Run;
}

function start(argv: string[], o: { tty?: boolean; machine?: Machine; stdin?: boolean } = {}): Run {
  let out = '', err = '';
  let code: number | undefined;
  const m = o.machine ?? machineFor(pod(), 'api', { tty: o.tty, configMap });
  const session = new Session(m, { stdout: (s) => (out += s), stderr: (s) => (err += s), exit: (c) => (code = c) }, { tty: !!o.tty });
  session.exec(argv);
  if (o.stdin === false) session.closeStdin();
  const r: Run = {
    session, out: () => out, err: () => err, code: () => code,
    type: (s) => {
      session.input(Buffer.from(s));
      return r;
    },
  };
  return r;
}

/** A command run to its end with no stdin. */
function run(argv: string[], o: { tty?: boolean; machine?: Machine } = {}) {
  const r = start(argv, { ...o, stdin: false });
  return { out: r.out(), err: r.err(), code: r.code() };
}

const sh = (script: string, o: { tty?: boolean; machine?: Machine } = {}) => run(['sh', '-c', script], o);

describe('commands', () => {
  it('hostname is the pod name', () => {
    expect(run(['hostname'])).toEqual({ out: 'api-7f9c-x2x9z\n', err: '', code: 0 });
    expect(run(['hostname', '-i']).out).toBe('10.244.1.7\n');
  });

  it('env: the container env, resolved field refs, and what a runtime and the kubelet add', () => {
    const lines = run(['env']).out.trim().split('\n');
    expect(lines[0]).toBe('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    expect(lines).toContain('HOSTNAME=api-7f9c-x2x9z');
    expect(lines).toContain('APP_ENV=dev');
    expect(lines).toContain('POD_NS=shop');
    expect(lines).toContain('KUBERNETES_SERVICE_HOST=10.96.0.1');
    expect(lines).toContain('KUBERNETES_SERVICE_PORT=443');
    expect(lines.at(-1)).toBe('HOME=/root');
    expect(lines.some((l) => l.startsWith('TERM='))).toBe(false);
    expect(run(['env'], { tty: true, machine: machineFor(pod(), 'api', { tty: true }) }).out).toContain('TERM=xterm\r\n');
    expect(run(['printenv', 'APP_ENV', 'NOPE'])).toEqual({ out: 'dev\n', err: '', code: 1 });
  });

  it('ls and cat over the small filesystem', () => {
    expect(run(['ls', '/etc']).out).toBe('hostname\nhosts\nos-release\npasswd\nresolv.conf\n');
    expect(run(['ls', '/']).out.split('\n')).toEqual(expect.arrayContaining(['bin', 'config', 'etc', 'root', 'tmp', 'var']));
    expect(run(['ls', '/config']).out).toBe('app.yaml\n');
    expect(run(['cat', '/config/app.yaml']).out).toBe('port: 8080\n');
    expect(run(['cat', '/etc/hostname']).out).toBe('api-7f9c-x2x9z\n');
    expect(run(['cat', '/etc/resolv.conf']).out).toMatch(/^search shop\.svc\.cluster\.local svc\.cluster\.local cluster\.local\nnameserver 10\.96\.0\.10\n/);
    expect(run(['cat', '/etc/hosts']).out).toMatch(/\n10\.244\.1\.7\tapi-7f9c-x2x9z\n$/);
    expect(run(['cat', '/etc/os-release']).out).toContain('ID=debian');
    expect(run(['ls', '/nope'])).toEqual({ out: '', err: "ls: cannot access '/nope': No such file or directory\n", code: 2 });
    expect(run(['cat', '/etc'])).toEqual({ out: '', err: 'cat: /etc: Is a directory\n', code: 1 });
    expect(run(['ls', '-l', '/etc/hostname']).out).toMatch(/^-rw-r--r-- 1 root root +15 .* \/etc\/hostname\n$/);
  });

  it('an Alpine or busybox image has sh but no bash', () => {
    const alpine = machineFor(pod('alpine:3.21'), 'api');
    expect(run(['cat', '/etc/os-release'], { machine: alpine }).out).toContain('ID=alpine');
    expect(execError(alpine, ['bash'])).toBe('exec: "bash": executable file not found in $PATH');
    expect(execError(alpine, ['/bin/bash'])).toBe('exec: "/bin/bash": stat /bin/bash: no such file or directory');
    expect(execError(alpine, ['/bin/sh'])).toBeUndefined();
    expect(execError(machineFor(pod(), 'api'), ['bash'])).toBeUndefined();
    // builtins are not files: a runtime cannot exec them
    expect(execError(alpine, ['cd'])).toBe('exec: "cd": executable file not found in $PATH');
  });
});

describe('sh -c', () => {
  it('expands variables, keeps quoted text, drops empty unquoted words', () => {
    expect(sh(`echo "$HOSTNAME" '$HOME' $NOPE \${APP_ENV}x "a  b"`).out).toBe('api-7f9c-x2x9z $HOME devx a  b\n');
    expect(sh('X="one two"; printf=1; echo $X; echo "$X"').out).toBe('one two\none two\n');
    expect(run(['sh', '-c', 'echo $0 $1 $#', 'name', 'first']).out).toBe('name first 1\n');
    expect(expand(`a"b c"'d'\\ e`, { get: () => undefined })).toEqual(['ab cd e']);
  });

  it('exit codes, ;, && and ||', () => {
    expect(sh('exit 3').code).toBe(3);
    expect(sh('false; echo $?').out).toBe('1\n');
    expect(sh('true && echo a || echo b').out).toBe('a\n');
    expect(sh('false && echo a || echo b').out).toBe('b\n');
    expect(sh('false || false && echo no; echo $?').out).toBe('1\n');
    expect(sh('true; false').code).toBe(1);
  });

  it('unknown commands: not found on stderr, 127', () => {
    expect(sh('nope')).toEqual({ out: '', err: 'sh: nope: not found\n', code: 127 });
    expect(run(['bash', '-c', 'nope'])).toEqual({ out: '', err: 'bash: nope: command not found\n', code: 127 });
  });

  it('redirections: /dev/null, 2>&1, >&2, files', () => {
    expect(sh('command -v bash >/dev/null 2>&1 && echo yes')).toEqual({ out: 'yes\n', err: '', code: 0 });
    expect(sh('nope 2>&1')).toEqual({ out: 'sh: nope: not found\n', err: '', code: 127 });
    expect(sh('echo oops >&2')).toEqual({ out: '', err: 'oops\n', code: 0 });
    expect(sh('echo one > /tmp/f; echo two >> /tmp/f; cat /tmp/f').out).toBe('one\ntwo\n');
    expect(sh('nope 2>/dev/null; echo $?')).toEqual({ out: '127\n', err: '', code: 0 });
  });

  it('command -v and exec', () => {
    expect(sh('command -v ls cd bash').out).toBe('/bin/ls\ncd\n/bin/bash\n');
    expect(sh('command -v nope')).toEqual({ out: '', err: '', code: 1 });
    expect(sh('exec sh -c "exit 7"; echo never')).toEqual({ out: '', err: '', code: 7 });
  });

  it('cd, pwd and pipes', () => {
    expect(sh('cd /etc && pwd && cd .. && pwd').out).toBe('/etc\n/\n');
    expect(sh('cd /nope')).toEqual({ out: '', err: 'sh: cd: /nope: No such file or directory\n', code: 2 });
    expect(sh('env | grep HOSTNAME').out).toBe('HOSTNAME=api-7f9c-x2x9z\n');
    expect(sh('cat /etc/hosts | head -n 1').out).toBe('# Kubernetes-managed hosts file.\n');
    expect(sh('echo hostname | sh').out).toBe('api-7f9c-x2x9z\n');
  });

  it('syntax errors end with 2', () => {
    expect(sh('echo "open')).toEqual({ out: '', err: 'sh: Syntax error: Unterminated quoted string\n', code: 2 });
    expect(sh('&& echo').code).toBe(2);
    expect(sh('echo a &&').code).toBe(2);
    expect(parse('a && b\n\nc | d; e').map((x) => [x.op, x.pipeline.length])).toEqual([[';', 1], ['&&', 1], [';', 2], [';', 1]]);
  });
});

describe('without a terminal', () => {
  it('reads command lines from stdin: no prompt, no echo, stdout and stderr apart', () => {
    const r = start(['sh']);
    r.type('echo hi\nnope\nhost');
    expect(r.out()).toBe('hi\n');
    expect(r.err()).toBe('sh: nope: not found\n');
    r.type('name\n');
    expect(r.out()).toBe('hi\napi-7f9c-x2x9z\n');
    expect(r.code()).toBeUndefined();
    r.session.closeStdin();
    expect(r.code()).toBe(0);
  });

  it('EOF ends the shell with the last status; exit ends it at once', () => {
    const a = start(['sh']).type('false\n');
    a.session.closeStdin();
    expect(a.code()).toBe(1);
    const b = start(['sh']).type('exit 4\necho never\n');
    expect(b.code()).toBe(4);
    expect(b.out()).toBe('');
  });

  it('a nested shell reads stdin until it exits, then its parent does', () => {
    const r = start(['sh']).type('sh\nexit 5\necho $?\n');
    expect(r.out()).toBe('5\n');
    r.session.closeStdin();
    expect(r.code()).toBe(0);
  });

  it('cat copies stdin until EOF; without stdin a shell ends at once', () => {
    const r = start(['cat']).type('a\nb\n');
    expect(r.out()).toBe('a\nb\n');
    r.session.closeStdin();
    expect(r.code()).toBe(0);
    expect(run(['sh'])).toEqual({ out: '', err: '', code: 0 });
  });

  it('multibyte characters split across chunks survive', () => {
    const r = start(['cat']);
    const bytes = Buffer.from('grüße\n');
    r.session.input(bytes.subarray(0, 3));
    r.session.input(bytes.subarray(3));
    expect(r.out()).toBe('grüße\n');
  });
});

describe('with a terminal', () => {
  const tty = { tty: true };

  it("kmux's shell command opens bash with a prompt; typed keys echo; exit ends it", () => {
    const r = start(['sh', '-c', KMUX_SHELL], tty);
    expect(r.out()).toBe('root@api-7f9c-x2x9z:/# ');
    r.type('hostname');
    expect(r.out()).toBe('root@api-7f9c-x2x9z:/# hostname');
    r.type('\r');
    expect(r.out()).toBe('root@api-7f9c-x2x9z:/# hostname\r\napi-7f9c-x2x9z\r\nroot@api-7f9c-x2x9z:/# ');
    r.type('exit\r');
    expect(r.code()).toBe(0);
  });

  it('falls back to sh where there is no bash', () => {
    const machine = machineFor(pod('busybox:1.37'), 'api', tty);
    const r = start(['sh', '-c', KMUX_SHELL], { ...tty, machine });
    expect(r.out()).toBe('/ # ');
    r.type('cd /etc\r');
    expect(r.out()).toMatch(/\/etc # $/);
  });

  it('backspace (DEL and BS) edits the line', () => {
    const r = start(['bash'], tty).type('hostnamx\x7f').type('e').type('echo\x08\x08\x08\x08');
    expect(r.out()).toBe('root@api-7f9c-x2x9z:/# hostnamx\b \beecho' + '\b \b'.repeat(4));
    r.type('\r');
    expect(r.out()).toContain('\r\napi-7f9c-x2x9z\r\n');
  });

  it('ctrl-c prints ^C and a new prompt; ctrl-d on an empty line exits with the last status', () => {
    const r = start(['bash'], tty).type('false\r').type('half a line\x03');
    expect(r.out()).toMatch(/half a line\^C\r\nroot@api-7f9c-x2x9z:\/# $/);
    r.type('abc\x04');
    expect(r.code()).toBeUndefined();
    r.type('\x15false\r\x04');
    expect(r.out()).toMatch(/exit\r\n$/);
    expect(r.code()).toBe(1);
  });

  it('ctrl-c stops a foreground cat; the shell prompts again', () => {
    const r = start(['sh'], tty).type('cat\rabc\r');
    expect(r.out()).toBe('/ # cat\r\nabc\r\nabc\r\n');
    r.type('\x03');
    expect(r.out()).toMatch(/\^C\r\n\/ # $/);
    r.type('echo $?\r');
    expect(r.out()).toMatch(/\r\n130\r\n\/ # $/);
  });

  it('output lines end in \\r\\n, stderr joins stdout, escape sequences are ignored', () => {
    const r = start(['sh'], tty).type('\x1b[Aecho a; nope\r');
    expect(r.err()).toBe('');
    expect(r.out()).toBe('/ # echo a; nope\r\na\r\nsh: nope: not found\r\n/ # ');
  });

  it('stty size follows resizes', () => {
    const r = start(['sh'], tty);
    r.session.resize(132, 40);
    r.type('stty size\r');
    expect(r.out()).toContain('\r\n40 132\r\n');
    expect(sh('stty size')).toEqual({ out: '', err: "stty: 'standard input': Inappropriate ioctl for device\n", code: 1 });
  });

  it('a nested shell and its exit status', () => {
    const r = start(['bash'], tty).type('sh\r');
    expect(r.out()).toMatch(/\r\n\/ # $/);
    r.type('exit 5\r').type('echo $?\r');
    expect(r.out()).toMatch(/\r\n5\r\nroot@api-7f9c-x2x9z:\/# $/);
    r.type('cd /tmp\r');
    expect(r.out()).toMatch(/root@api-7f9c-x2x9z:\/tmp# $/);
    r.type('cd\r');
    expect(r.out()).toMatch(/root@api-7f9c-x2x9z:~# $/);
  });
});
