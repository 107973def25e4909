// A network device's CLI for sshd's ForceCommand in the config-backup tests: replays a recorded configuration
// with the vendor's prompts, pager (and its erase sequences), enable mode and error messages.
// Usage: node emulator.mjs DATA_DIR   (the device is $USER: DATA_DIR/$USER.json and DATA_DIR/$USER.cfg)
// Plain JavaScript so that sshd starts it in tens of milliseconds. Test code only.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

const dir = process.argv[2];
const user = process.env.USER ?? process.env.LOGNAME;
const dev = JSON.parse(readFileSync(`${dir}/${user}.json`, 'utf8'));
const out = (s) => process.stdout.write(s.replace(/\n/g, '\r\n'));
const host = dev.hostname;
const pad = (n) => String(n).padStart(2, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The time as each vendor prints it in its configuration headers. */
function stamp(vendor, d = new Date()) {
  const hms = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (vendor === 'cisco-ios') return `${hms} UTC ${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${d.getUTCFullYear()}`;
  if (vendor === 'cisco-nxos') return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${hms} ${d.getUTCFullYear()}`;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${hms}+00:00`;
}

const V = {
  'huawei-vrp': {
    banner: `\nInfo: The max number of VTY users is 5, and the number\n      of current VTY users on line is 1.\n      The current login time is ${stamp('huawei-vrp')}.\n`,
    prompt: () => `<${host}>`, pager: '  ---- More ----', erase: '\x1b[42D' + ' '.repeat(42) + '\x1b[42D',
    pagerOff: 'screen-length 0 temporary', pagerOffReply: 'Info: The configuration takes effect on the current user terminal interface only.\n',
    show: 'display current-configuration', exit: ['quit'],
    error: (cmd) => `${' '.repeat(host.length + 2)}^\nError: Unrecognized command found at '^' position.\n`,
  },
  'h3c-comware': {
    banner: '\n******************************************************************************\n* Copyright (c) 2004-2021 New H3C Technologies Co., Ltd. All rights reserved.*\n* Without the owner\'s prior written consent,                                 *\n* no decompiling or reverse-engineering shall be allowed.                    *\n******************************************************************************\n\n',
    prompt: () => `<${host}>`, pager: '---- More ----', erase: '\x1b[16D' + ' '.repeat(16) + '\x1b[16D',
    pagerOff: 'screen-length disable', pagerOffReply: '', show: 'display current-configuration', exit: ['quit'],
    error: () => `${' '.repeat(host.length + 2)}^\n % Unrecognized command found at '^' position.\n`,
  },
  'ruijie-rgos': {
    banner: '\n', enable: true, prompt: (priv) => `${host}${priv ? '#' : '>'}`, pager: ' --More-- ', erase: '\b'.repeat(10) + ' '.repeat(10) + '\b'.repeat(10),
    pagerOff: 'terminal length 0', pagerOffReply: '', show: 'show running-config', exit: ['exit'],
    error: () => '% Unrecognized command.\n', denied: '% Password: timeout expired!\n% Access denied.\n',
  },
  'cisco-ios': {
    banner: '\n**************************************************************************\n* IOSv is strictly limited to use for evaluation, demonstration and IOS  *\n* education. IOSv is provided as-is and is not supported by Cisco\'s      *\n**************************************************************************\n',
    enable: true, prompt: (priv) => `${host}${priv ? '#' : '>'}`, pager: ' --More-- ', erase: '\b'.repeat(10) + ' '.repeat(10) + '\b'.repeat(10),
    pagerOff: 'terminal length 0', pagerOffReply: '', show: 'show running-config', exit: ['exit', 'logout'],
    error: () => `${' '.repeat(host.length + 1)}^\n% Invalid input detected at '^' marker.\n\n`, denied: '% Access denied\n\n',
    extraOk: ['terminal width 0'],
  },
  'cisco-nxos': {
    banner: '\nCisco NX-OS Software\nCopyright (c) 2002-2021, Cisco Systems, Inc. All rights reserved.\n',
    prompt: () => `${host}# `, pager: '--More--', erase: '\r        \r',
    pagerOff: 'terminal length 0', pagerOffReply: '', show: 'show running-config', exit: ['exit'],
    error: () => `                      ^\n% Invalid command at '^' marker.\n\n`, extraOk: ['terminal width 511'],
  },
  'juniper-junos': {
    banner: '--- JUNOS 21.4R3.15 Kernel 64-bit  JNPR-12.1-20221005.5fb2c31_buil\n',
    prompt: () => `admin@${host}> `, pager: '---(more 42%)---', erase: '\r' + ' '.repeat(16) + '\r',
    pagerOff: 'set cli screen-length 0', pagerOffReply: 'Screen length set to 0\n', show: 'show configuration | display set | no-more', exit: ['exit', 'quit'],
    error: () => '                                 ^\nsyntax error, expecting <command>.\n', extraOk: ['set cli screen-width 0'], extraReply: 'Screen width set to 0\n',
  },
  fortios: {
    banner: '',
    prompt: () => `${host} # `, pager: '--More-- ', erase: '\r         \r',
    pagerOff: undefined, show: 'show', exit: ['exit'],
    error: () => 'Unknown action 0\n\nCommand fail. Return code -1\n',
  },
};

const v = V[dev.vendor];
if (!v) { out(`emulator: unknown vendor ${dev.vendor}\n`); process.exit(1); }
if (dev.mute) { process.stdin.resume(); setInterval(() => {}, 1 << 30); } else start();

function render() {
  const text = readFileSync(`${dir}/${user}.cfg`, 'utf8');
  return text
    .replace(/\{\{TIME\}\}/g, () => stamp(dev.vendor))
    .replace(/\{\{CLOCKPERIOD\}\}/g, () => String(17179000 + Math.floor(Math.random() * 900)))
    .replace(/\{\{ENC\}\}/g, () => randomBytes(48).toString('base64'))
    .replace(/\{\{FILEVER\}\}/g, () => String(Math.floor(Date.now() / 1000) % 100000));
}

function start() {
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  let priv = !v.enable;
  let paging = true;
  let mode = 'cmd'; // 'cmd', 'password', 'pager'
  let line = '';
  let lastWasCr = false;
  let pages = [];
  let tries = 0;
  out(v.banner);
  out(v.prompt(priv));

  const nextPage = () => {
    const page = pages.splice(0, 20);
    out(page.join('\n') + '\n');
    if (pages.length > 0) { out(v.pager); mode = 'pager'; } else { out((dev.vendor === 'juniper-junos' ? '\n' : '') + v.prompt(priv)); mode = 'cmd'; }
  };

  const run = (cmd) => {
    const c = cmd.trim();
    if (mode === 'password') {
      out('\n');
      if (c === dev.enableSecret) { priv = true; mode = 'cmd'; out(v.prompt(priv)); return; }
      if (++tries < 3) { out('Password: '); return; }
      out(v.denied); mode = 'cmd'; tries = 0; out(v.prompt(priv)); return;
    }
    out('\n');
    if (c === '') { out(v.prompt(priv)); return; }
    if (v.exit.includes(c)) { process.exit(0); }
    if (v.enable && c === 'enable') { if (priv) { out(v.prompt(priv)); return; } mode = 'password'; tries = 0; out('Password: '); return; }
    if (v.enable && !priv && (c === v.show || c === v.pagerOff)) { out(v.error(c)); out(v.prompt(priv)); return; }
    if (v.pagerOff && c === v.pagerOff) {
      if (dev.pagerOffRefused) out(v.error(c)); else { paging = false; out(v.pagerOffReply); }
      out(v.prompt(priv)); return;
    }
    if (v.extraOk?.includes(c)) { out(v.extraReply ?? ''); out(v.prompt(priv)); return; }
    if (c === v.show) {
      const lines = render().replace(/\n$/, '').split('\n');
      if (dev.vendor === 'juniper-junos') lines.unshift('');
      if (!paging) { pages = []; out(lines.join('\n') + '\n'); out((dev.vendor === 'juniper-junos' ? '\n' : '') + v.prompt(priv)); return; }
      pages = lines; nextPage(); return;
    }
    out(v.error(c)); out(v.prompt(priv));
  };

  process.stdin.on('data', (buf) => {
    for (const ch of buf.toString('latin1')) {
      if (mode === 'pager') {
        out(v.erase);
        if (ch === 'q') { pages = []; mode = 'cmd'; out('\n' + v.prompt(priv)); } else nextPage();
        continue;
      }
      if (ch === '\n' && lastWasCr) { lastWasCr = false; continue; }
      lastWasCr = ch === '\r';
      if (ch === '\r' || ch === '\n') { const l = line; line = ''; run(l); continue; }
      if (ch === '\x7f' || ch === '\b') { if (line) { line = line.slice(0, -1); if (mode !== 'password') out('\b \b'); } continue; }
      line += ch;
      if (mode !== 'password') out(ch);
    }
  });
  process.stdin.on('end', () => process.exit(0));
}
