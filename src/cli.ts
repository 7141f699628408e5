/** kmux's entry point: flags and sub-commands, nothing else. */
import { simMain } from './sim/cli.js';

const USAGE = `Usage: kmux [options]        open kmux (the navigator) on your kubeconfig
       kmux --demo           open kmux on an embedded simulated fleet
       kmux sim [options]    run a simulated fleet (kmux sim --help)
`;

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'sim') return simMain(argv.slice(1));
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(USAGE);
    return;
  }
  if (argv.includes('--demo')) {
    // The navigator UI lands with issue 3; until then the demo is the fleet itself.
    process.stdout.write('kmux --demo: the navigator is not built yet; starting the simulated fleet instead.\n\n');
    return simMain(argv.filter((a) => a !== '--demo'));
  }
  process.stderr.write(`kmux: the navigator is still being built; try \`kmux sim\` or \`kmux --demo\`.\n\n${USAGE}`);
  process.exit(2);
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`kmux: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
