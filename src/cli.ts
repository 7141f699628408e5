/** kmux's entry point: flags and sub-commands, nothing else. */
async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'sim') {
    const { simMain } = await import('./sim/cli.js');
    return simMain(argv.slice(1));
  }
  const { uiMain } = await import('./ui/run.js');
  return uiMain(argv);
}

main(process.argv.slice(2)).catch(async (e) => {
  const { crashReport } = await import('./config/crash.js');
  process.stderr.write(`${crashReport(e)}\n`);
  process.exit(1);
});
