/**
 * A hand-written lexicon for developer text. Words that are neutral in technical writing
 * ("error", "exception", "kill", "bug", "fail", "problem") are deliberately absent: in Stack Overflow
 * and issue-tracker prose they describe the subject, not the writer's feeling.
 */

export type LexiconGroup = 'emotion' | 'trouble' | 'praise' | 'politeness' | 'appraisal';

export interface LexiconEntry {
  /** Signed strength: +2 strongly positive ... -2 strongly negative. */
  polarity: number;
  group: LexiconGroup;
}

function addWords(target: Map<string, LexiconEntry>, words: string, polarity: number, group: LexiconGroup): void {
  for (const word of words.split(/\s+/)) if (word) target.set(word, { polarity, group });
}

const words = new Map<string, LexiconEntry>();
addWords(
  words,
  `love loved loves lovely awesome amazing fantastic excellent wonderful brilliant superb perfect perfectly
   incredible outstanding terrific delightful marvelous magnificent phenomenal stellar gorgeous beautiful
   beautifully elegant elegantly genius rocks kudos bravo hooray yay yippee woohoo woot glad happy thrilled
   excited delighted enjoy enjoyed enjoying xxemopos`,
  2,
  'emotion',
);
addWords(
  words,
  `good great nice cool neat fine clean cleaner clever smart helpful useful handy solid impressive pleasant
   fun like liked likes interesting fascinating appreciate appreciated appreciates best better
   improved improvement improvements favorite favourite recommend recommended worth correct easier easy
   simpler simple intuitive fast faster quick quicker smooth smoothly stable robust reliable powerful
   hope hopefully sweet wow whoa yes agree agreed right exactly fair enjoyable satisfying satisfied
   congrats congratulations win wins winning`,
  1,
  'emotion',
);
addWords(
  words,
  `hate hated hates awful terrible horrible horrendous atrocious disgusting dreadful pathetic idiotic
   idiot idiots stupid stupidity dumb moron retarded crap crappy shit shitty bullshit damn damned dammit
   goddamn fuck fucking fucked wtf wth omfg ffs sucks sucked suck garbage trash rubbish useless worthless
   ridiculous absurd insane nonsense disaster disastrous nightmare infuriating furious angry mad pissed
   hell xxemoneg disgusted disgust shame shameful lame`,
  -2,
  'emotion',
);
addWords(
  words,
  `bad worse worst ugly annoying annoyed annoys frustrating frustrated frustration disappointing disappointed
   disappointment sad unhappy upset confusing confused painful pain poor poorly wrong unfortunate
   unfortunately sadly regret regrets weird strange silly tedious clunky messy mess hacky kludge unclear
   misleading rude lazy slow slower sluggish bloated overkill overcomplicated cumbersome inconvenient
   irritating irritated tired sick scary afraid worried worry concerned hard difficult complicated
   problematic unacceptable unusable unreliable inconsistent broken boring meh ugh argh grr doh oops
   nope hmm bizarre`,
  -1,
  'emotion',
);
addWords(
  words,
  `crash crashes crashed crashing segfault segfaults segfaulting panic panics hang hangs hanging freeze
   freezes freezing frozen flaky flakey flakiness regression regressions leak leaks leaking deadlock
   deadlocks corrupt corrupted corruption breaks broke breaking unresponsive stuck outage outages
   downtime bricked laggy lag lags glitch glitchy buggy bugged nondeterministic timeout timeouts
   hallucinate hallucinates hallucinating hallucination hallucinations throttled ratelimited`,
  -1,
  'trouble',
);
addWords(
  words,
  `lgtm shipit thanks thank thx thnx ty tyvm cheers props +1 works worked working fixed solved resolves
   resolved`,
  1,
  'praise',
);
addWords(
  words,
  `despise despised despises loathe loathed loathing detest detested abhor abhorrent appalled appalling
   horrified horrific horrifying heinous evil pitiful miserable misery hopeless devastating devastated
   outrageous outraged rage raging livid hateful shocked shocking vile nasty gross sickening insulting
   offensive obnoxious incompetent incompetence ludicrous laughable embarrassing embarrassed humiliating
   abysmal horrid sucky bummer yuck eww damnit goddamnit dislike dislikes disliked`,
  -2,
  'emotion',
);
addWords(
  words,
  `pointless convoluted hackish abusive abuse annoyance dizzy frightening worrying worrisome worries
   terrifying impossible unpleasant awkward questionable dubious sloppy shoddy flawed inferior mediocre
   subpar cryptic nonsensical crazy stinks overwhelmed stressful struggling struggle struggled hassle
   headache frustrates annoyingly painfully regrettably lousy clumsy kludgy unintuitive counterintuitive
   rudeness disgrace risky dangerous hopelessly sadder pity`,
  -1,
  'emotion',
);
addWords(
  words,
  `fabulous splendid marvellous wonderfully exquisite adore adored epic ecstatic overjoyed grateful
   gratitude thankful impressed joy joyful pleased proud cheerful`,
  2,
  'emotion',
);
addWords(
  words,
  `nicely neatly cleanly tidy convenient straightforward painless effortless seamless seamlessly slick
   snappy promising valuable beneficial relieved relief pleasure pleasantly charming superior ideal
   sensible reasonable insightful informative thorough thoughtful generous happily gladly`,
  1,
  'emotion',
);
addWords(words, 'please pls plz sorry apologies welcome hi hello', 0.5, 'politeness');
// How developers judge a tool or model: verdicts on quality, value and conduct rather than feelings.
addWords(
  words,
  `goated goat slaps beast lifesaver gamechanger underrated snappy nailed nails nailing oneshotted
   oneshot crushes crushed crushing mindblowing sota affordable generous flawless flawlessly
   unbeatable unmatched killer legit banger solid reliable reliably trustworthy capable competent
   accurate precise productive`,
  1,
  'appraisal',
);
addWords(
  words,
  `nerfed nerf lobotomized lobotomised dumber dumbed degraded degrading downgrade downgraded regressed
   overrated overpriced overhyped ripoff scam scammy greedy enshittification enshittified gaslighting
   gaslights gaslit sycophantic sycophancy glazing preachy censored censorship refuses refused
   disappointing letdown flop flopped unusable expensive pricey cancelled canceled cancelling canceling
   unsubscribed uninstalled ditched dumped abandoned mid cooked braindead brainless incompetent clueless
   sloppy lazier inconsistent unreliable unstable`,
  -1,
  'appraisal',
);

export const LEXICON: ReadonlyMap<string, LexiconEntry> = words;

/** Multi-word expressions matched on the token sequence; they override the single-word entries. */
export const PHRASES: ReadonlyArray<{ tokens: string[]; entry: LexiconEntry }> = [
  ['works like a charm', 2, 'praise'],
  ['worked like a charm', 2, 'praise'],
  ['works great', 2, 'praise'],
  ['works perfectly', 2, 'praise'],
  ['works fine', 1, 'praise'],
  ['works for me', 1, 'praise'],
  ['thank you', 2, 'praise'],
  ['thanks a lot', 2, 'praise'],
  ['much appreciated', 2, 'praise'],
  ['good job', 2, 'praise'],
  ['great job', 2, 'praise'],
  ['nice work', 2, 'praise'],
  ['well done', 2, 'praise'],
  ['ship it', 1, 'praise'],
  ['looks good', 1, 'praise'],
  ['makes sense', 1, 'praise'],
  ['no problem', 1, 'politeness'],
  ['no worries', 1, 'politeness'],
  ['not bad', 1, 'emotion'],
  ['no issues', 1, 'praise'],
  ["doesn't work", -1, 'trouble'],
  ['does not work', -1, 'trouble'],
  ["didn't work", -1, 'trouble'],
  ['not working', -1, 'trouble'],
  // Repeated failure reads as frustration rather than a neutral bug report.
  ['stopped working', -2, 'emotion'],
  ['keeps crashing', -2, 'emotion'],
  ['keeps failing', -2, 'emotion'],
  ['keeps breaking', -2, 'emotion'],
  ['keeps freezing', -2, 'emotion'],
  ['keeps hanging', -2, 'emotion'],
  ['crashes constantly', -2, 'emotion'],
  ['constantly crashing', -2, 'emotion'],
  ['always crashes', -2, 'emotion'],
  ['broken again', -2, 'emotion'],
  ['waste of time', -2, 'emotion'],
  ['pain in the ass', -2, 'emotion'],
  ['what the hell', -2, 'emotion'],
  ['what the fuck', -2, 'emotion'],
  ['makes no sense', -2, 'emotion'],
  ['no idea', -1, 'emotion'],
  ['at a loss', -1, 'emotion'],
  ['give up', -1, 'emotion'],
  ['gave up', -1, 'emotion'],
  ['game changer', 2, 'appraisal'],
  ['life saver', 2, 'appraisal'],
  ['no brainer', 1, 'appraisal'],
  ['just works', 2, 'appraisal'],
  ['works well', 1, 'appraisal'],
  ['worth it', 1, 'appraisal'],
  ['worth every penny', 2, 'appraisal'],
  ['daily driver', 1, 'appraisal'],
  ['way better', 1, 'appraisal'],
  ['much better', 1, 'appraisal'],
  ['miles ahead', 2, 'appraisal'],
  ['leagues ahead', 2, 'appraisal'],
  ['top tier', 2, 'appraisal'],
  ['highly recommend', 2, 'appraisal'],
  ['blows away', 2, 'appraisal'],
  ['mind blowing', 2, 'appraisal'],
  ['chefs kiss', 2, 'appraisal'],
  ['not worth', -1, 'appraisal'],
  ['not worth it', -2, 'appraisal'],
  ['rip off', -2, 'appraisal'],
  ['cash grab', -2, 'appraisal'],
  ['money grab', -2, 'appraisal'],
  ['bait and switch', -2, 'appraisal'],
  ['dumbed down', -2, 'appraisal'],
  ['confidently wrong', -2, 'appraisal'],
  ['going in circles', -1, 'appraisal'],
  ['goes in circles', -1, 'appraisal'],
  ['fell off', -1, 'appraisal'],
  ['let down', -1, 'appraisal'],
  ['too expensive', -2, 'appraisal'],
  ['way worse', -2, 'appraisal'],
  ['much worse', -1, 'appraisal'],
  ['rate limited', -1, 'appraisal'],
  ['hit the limit', -1, 'appraisal'],
  ['hit the limits', -1, 'appraisal'],
  ['ignores instructions', -1, 'appraisal'],
  ['switched away', -1, 'appraisal'],
  ['never going back', 1, 'appraisal'],
].map(([phrase, polarity, group]) => ({
  tokens: String(phrase).split(' '),
  entry: { polarity: Number(polarity), group: group as LexiconGroup },
}));

export const INTENSIFIERS: ReadonlyMap<string, number> = new Map([
  ['very', 1.5],
  ['really', 1.5],
  ['extremely', 2],
  ['so', 1.3],
  ['super', 1.5],
  ['totally', 1.5],
  ['absolutely', 1.8],
  ['incredibly', 1.8],
  ['highly', 1.5],
  ['completely', 1.5],
  ['utterly', 1.8],
  ['insanely', 1.8],
  ['too', 1.3],
  ['most', 1.3],
  ['quite', 1.2],
  ['truly', 1.5],
  ['seriously', 1.5],
  ['slightly', 0.5],
  ['somewhat', 0.6],
  ['kinda', 0.6],
  ['kind', 0.7],
  ['bit', 0.6],
  ['little', 0.7],
  ['fairly', 0.8],
  ['pretty', 1.2],
  ['mostly', 0.8],
]);
