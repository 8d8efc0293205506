import type { AspectName } from './types.ts';

/**
 * The first tier's vocabulary, kept as plain data so it can be read and extended without touching
 * the matcher. A phrase is lowercase words separated by spaces; a word ending in `*` matches any
 * word that starts with it (stems need at least four letters before the `*`).
 */
export interface AspectCue {
  phrase: string;
  aspect: AspectName;
  /** The cue's own polarity: -1 "crashes", 0 "pricing" (read nearby words), +1 "blazing fast". */
  polarity: -1 | 0 | 1;
  /** How surely the words name this aspect, in [0, 1]. */
  weight?: number;
  /** For topic cues: whether more of the thing is good (+1, "context") or bad (-1, "price"). */
  moreIs?: -1 | 1;
  /** Words that, among the three before the cue, mean it is not about this aspect ("fixed the error"). */
  notAfter?: string[];
  /** Words that, directly after the cue, mean it is not about this aspect ("free to", "slow down"). */
  notBefore?: string[];
  /** Whether an entity's name directly after the cue means it is a verb here ("support Codex"). */
  notBeforeName?: boolean;
  /** Generic words ("output", "plan", "setup") count only when a judging word sits next to them. */
  needsJudgement?: boolean;
}

type Cue = Omit<AspectCue, 'aspect'>;

const cue = (phrase: string, polarity: -1 | 0 | 1, extra: Omit<Cue, 'phrase' | 'polarity'> = {}): Cue => ({
  phrase,
  polarity,
  ...extra,
});

const words = (list: string, polarity: -1 | 0 | 1, extra: Omit<Cue, 'phrase' | 'polarity'> = {}): Cue[] =>
  list.split(',').map((phrase) => cue(phrase.trim(), polarity, extra));

const CODE_FIX_VERBS = [
  'fix',
  'fixed',
  'fixes',
  'fixing',
  'debug',
  'debugging',
  'found',
  'spot',
  'spotted',
  'caught',
  'catch',
  'explain',
  'explained',
  'handle',
  'handling',
  'about',
  'any',
  'user',
  'syntax',
  'type',
];

/** Words right after a fault word that make it a task or a form field, not a fault of the tool: "bug fixing", "went down the rabbit hole", "broken down". */
const NOT_A_FAULT_AFTER = [
  'fix',
  'fixes',
  'fixing',
  'fixed',
  'report',
  'reports',
  'reported',
  'description',
  'hunting',
  'the',
  'down',
  'diffusion',
  'handling',
];

const QUICK_JOBS = [
  'note',
  'question',
  'questions',
  'refactor',
  'refactors',
  'fix',
  'fixes',
  'task',
  'tasks',
  'edit',
  'edits',
  'look',
  'test',
  'tests',
  'debugging',
  'prototype',
  'prototypes',
  'script',
  'scripts',
  'stuff',
  'things',
  'thing',
  'one',
  'update',
  'hack',
  'hacks',
  'change',
  'changes',
  'check',
  'search',
  'reminder',
];

const CUES_BY_ASPECT: Record<AspectName, Cue[]> = {
  performance: [
    ...words(
      'output quality,quality of the output,response quality,answer quality,accuracy,benchmark*,evals,instruction following,follows instructions,intelligence,reasoning ability,performance,performs,performed',
      0,
      { notAfter: ['speed', 'runtime', 'inference', 'gpu', 'cpu', 'hardware'] },
    ),
    ...words(
      'quality,reasoning,understands,understanding,results,answers,answer,responses,output,outputs,one shot*,suggestions,completions,predictions,model quality',
      0,
      { needsJudgement: true },
    ),
    ...words(
      'hallucinat*,made up,makes up,make up,making up,invented,invents,dumb,dumber,dumbed down,stupid,nerfed,nerf,lobotomized,lazy,lazier,degraded,degradation,worse at,gets confused,got confused,confidently wrong,wrong answers,wrong answer,gaslight*,useless answers,goes in circles,going in circles,loops forever,sycophan*,regressed,misunderstood,misunderstands,ignores instructions,ignored my instructions,ignores my,off the rails,in circles,derailed,inferior,falsehoods,lying,lies to,dumbest mistakes,trial and error loops,kneecap*,fall from grace,dropped in quality,quality dropped,downgraded,struggled,strugled,couldnt get,could not get,no real improvement',
      -1,
    ),
    ...words(
      'nails it,nailed it,nailed,gets it right,got it right,spot on,mind blowing,blew me away,game changer,insanely good,really good at,great at,better at,best model,smartest,smarter,smart,accurate,capable,sharp,sharper,figured out,solved it,found the bug,coherent,insightful,excels,excelled,excel at,shines,game changing,great job,good job,on point,king of the hill,more powerful,most powerful,more capable,hard to beat,tough to beat,first try,first go,in one go,one go,solves,solved the',
      1,
    ),
  ],
  cost: [
    ...words(
      'price,prices,pricing,priced,cost,costs,costing,billing,billed,per seat,per month,per year,tokens cost,api costs,value for money,price point,pricing page,fee,fees,per token,per task',
      0,
      { moreIs: -1 },
    ),
    ...words(
      'subscription*,tier,credits,spend,spent,spending,paying,pay,paid,dollars,bucks,money,budget,charge,charged,charges,bill,token usage,usage based',
      0,
      { moreIs: -1, needsJudgement: true },
    ),
    // "plan" is also planning: "plan mode", "a detailed plan", "plan with GPT-5 first".
    cue('plan', 0, {
      moreIs: -1,
      needsJudgement: true,
      notAfter: ['a', 'an', 'without', 'detailed', 'implementation', 'good', 'solid', 'clear', 'the'],
      notBefore: ['with', 'using', 'mode', 'to', 'out', 'first', 'before', 'and', 'it', 'the', 'for'],
    }),
    ...words(
      'expensive,pricey,overpriced,costly,rip off,ripoff,price hike,price increase,raised prices,raised the price,too expensive,burning money,burned through,burn through,burns through,cash grab,money grab,highway robbery,not worth the money,tax',
      -1,
    ),
    ...words(
      'cheap,cheaper,cheapest,affordable,inexpensive,free tier,for free,is free,its free,worth every penny,worth the money,bargain,a steal,good value,great value,price cut,cut prices,lower prices,price drop,dirt cheap',
      1,
    ),
  ],
  reliability: [
    ...words('uptime,reliability,stability,status page,incident*,availability', 0, { notAfter: ['improve', 'improves', 'for'] }),
    ...words(
      "outage*,went down,goes down,is down,was down,been down,down again,keeps crashing,crash*,freez*,froze,frozen,hang,hangs,hung,unstable,flaky,flakey,unreliable,broke,breaks,broken,stopped working,stops working,doesn't work,does not work,didn't work,not working,overloaded,internal server error,server error,timeouts,timed out,times out,keeps failing,failed requests,fails randomly,randomly fails,glitch*,bricked,corrupt*,lost my work,saturated,panics,fails when,fails to,failed to,failing to,deleted my,wiped my,ate my,buggy,bugs,bug,disconnect*,logged out,logs me out,stuck in a loop,went into a loop",
      -1,
      { notAfter: CODE_FIX_VERBS, notBefore: NOT_A_FAULT_AFTER },
    ),
    ...words('errors,error', -1, { weight: 0.6, notAfter: CODE_FIX_VERBS, notBefore: NOT_A_FAULT_AFTER }),
    ...words('reliable,stable,rock solid,never crashes,never breaks,zero downtime,no downtime,no outages,always works', 1, {
      notBefore: ['diffusion'],
    }),
  ],
  ux: [
    ...words('app,feature,features', 0, {
      needsJudgement: true,
      notAfter: [
        'on',
        'core',
        'search',
        'web',
        'the',
        'build',
        'building',
        'ship',
        'shipping',
        'add',
        'adding',
        'implement',
        'implementing',
      ],
      notBefore: ['development', 'for', 'store', 'request', 'requests', 'flag', 'flags', 'branch', 'work'],
    }),
    // "bad at UI", "a Codex-style UI": what the tool builds or imitates, not its own interface.
    ...words('ux,ui,interface,user experience,onboarding,keybinding*,shortcuts,ergonomic*,dx,developer experience,tui,usability', 0, {
      notAfter: ['at', 'style', 'building', 'build', 'builds', 'design', 'designing'],
    }),
    ...words(
      'design,workflow,setup,set up,install*,settings,integration,extension,plugin,tab completion,autocomplete,autocompletion,inline suggestions,diff view,config,configuration,panel,sidebar,chat panel,editor,layout,login,scroll,scrolling,scrollback,tooling,tool chain,toolchain,desktop app,mobile app,cli,ide,polish',
      0,
      { needsJudgement: true },
    ),
    ...words(
      'intuitive,easy to use,easy to set up,seamless*,polished,slick,slickly,delightful,nice ui,clean ui,great ux,just works,easiest way,a joy,fits how,easy to follow',
      1,
    ),
    ...words(
      'clunky,confusing,unintuitive,janky,cluttered,annoying popup*,hard to use,pain to use,awkward,bloated,steep learning curve,learning curve,nags,nagging,babysit*,hand holding,handholding,keeps asking,asking approval*,asks for approval*,asking for permission,asks for permission,prompts for permission,permission prompts,confirm every,approve every,dark patterns',
      -1,
    ),
  ],
  speed: [
    ...words('latency,response time,response times,speed,tokens per second,time to first token,ttft,throughput', 0, {
      moreIs: -1,
      notBefore: ['up'],
    }),
    ...words('fast,faster,fastest,snappy,instant,instantly,blazing*,lightning,speedy,responsive,low latency,zippy', 1, {
      notBefore: ['food', 'track'],
    }),
    // "a quick refactor", "quick tasks": the size of the job, not how fast the tool is.
    ...words('quick,quicker', 1, { notBefore: QUICK_JOBS }),
    ...words(
      'slow,slower,slowest,sluggish,laggy,lag,lags,lagging,takes forever,took forever,taking forever,crawl,crawling,ages to,minutes to respond,high latency,slowed down,slows down,spinning,spinner,takes a while,take a while,took a while,takes ages,took ages,takes longer,took longer,way longer,length of time,thinks too long,think too long',
      -1,
      // "spinning its wheels", "lags far behind": no progress or a lead lost, not latency.
      { notBefore: ['down', 'its', 'his', 'their', 'behind', 'far', 'way'] },
    ),
  ],
  code_quality: [
    ...words(
      'code quality,quality of the code,generated code,the code it,code it writes,code it wrote,code it generates,code it produces,its code,idiomatic,readable,maintainable,clean code,diffs,commits',
      0,
    ),
    ...words('tests,unit tests,types,edge cases,architecture', 0, { needsJudgement: true }),
    // "Claude Code" unmasked (a second mention), "code review", "code understanding": not the code it writes.
    cue('code', 0, {
      needsJudgement: true,
      notAfter: ['claude', 'unsloth', 'glue'],
      notBefore: [
        'understanding',
        'review',
        'reviews',
        'reviewing',
        'base',
        'snippets',
        'gen',
        'generation',
        'navigation',
        'editor',
        'editors',
        'cli',
        'max',
      ],
    }),
    ...words(
      'spaghetti,over engineer*,overengineer*,bloated code,verbose code,sloppy,messy,deleted tests,deletes tests,rewrites everything,broke my code,breaks my code,introduced bugs,introduces bugs,buggy code,wrong code,code is garbage,unreadable,hacky,hardcod*,any everywhere,placeholder*,fake implementation*,stubbed out,todo comments,reverted,deprecated,code rot,rewrite half,rewrites half,rewrote half,so they pass,just to make tests,just to make the tests,to make tests pass,to make the tests pass,too many lines,unnecessary changes,unnecessary code,unneeded changes,side effect*,destroying,destroyed my,destroys my,naming conventions,fallbacks',
      -1,
    ),
    ...words(
      'idiomatic code,well structured,production ready,solid code,good code,great code,excellent code,writes good,writes great,writes clean,cleanest,surgical,minimal diff*,minimal changes,one line fix,clean diff*,precise changes,targeted changes',
      1,
    ),
  ],
  context_window: [
    ...words(
      'context window,context windows,context length,context size,long context,token window,tokens of context,1m context,million token*,context limit',
      0,
      { moreIs: 1 },
    ),
    // "give it more context", "copying context": what the user feeds it, not the window.
    ...words('context', 0, {
      moreIs: 1,
      needsJudgement: true,
      notAfter: [
        'give',
        'giving',
        'gave',
        'provide',
        'providing',
        'copy',
        'copying',
        'add',
        'adding',
        'feed',
        'feeding',
        'paste',
        'pasting',
      ],
    }),
    ...words(
      'forgets,forgot,forgetting,loses context,lost context,loses track,lost track,runs out of context,ran out of context,running out of context,limited context,context rot,compaction,auto compact*,truncat*',
      -1,
    ),
    ...words(
      'huge context,massive context,large context,larger context,bigger context,longer context,entire codebase,whole codebase,whole repo,entire repo',
      1,
    ),
  ],
  limits: [
    ...words(
      'quota,quotas,usage cap,allowance,message limit,usage limits,usage limit,weekly limit*,daily limit*,5 hour limit*,five hour limit*,requests per,messages per,fair use,requests a day,requests per day,messages a day',
      0,
      { moreIs: 1, notBefore: ['second', 'sec', 's'] },
    ),
    ...words('limit,limits,cap,caps', 0, { moreIs: 1, needsJudgement: true }),
    ...words(
      'rate limit*,throttl*,hit the limit,hit my limit,hit the cap,hitting limits,hitting the limit,hit limits,hit limit,ran out of usage,out of usage,ran out of weekly,run out of weekly,usage warning,limit warning,warning for usage,out of credits,out of quota,limit reached,usage limit reached,capped,locked out,too many requests,429,resource exhausted,resource has been exhausted',
      -1,
    ),
    ...words('unlimited,no limits,higher limits,generous limits,limits raised,raised the limits,doubled the limits', 1),
  ],
  privacy: [
    ...words(
      'privacy,telemetry,data retention,train on,trains on,training on,trained on,gdpr,soc 2,soc2,on prem*,self host*,air gap*,zero data retention,data policy,data usage,opt out,sends code,sending code,send code',
      0,
    ),
    ...words('private,locally,offline,my data,our data,your data,retention,compliance,cloud', 0, { needsJudgement: true }),
    ...words(
      'leak*,spying,spyware,phones home,phone home,sends my code,uploads my code,harvest*,data grab,privacy nightmare,privacy concerns,privacy issue*,sells data',
      -1,
    ),
    ...words('never leaves,nothing leaves,stays local,fully local,fully offline,no telemetry,privacy friendly,privacy first', 1),
  ],
  support: [
    ...words(
      'customer service,customer support,support team,support ticket,helpdesk,help desk,account manager,response from support,their support',
      0,
    ),
    // Bare "support" is mostly the verb or a feature ("supports Codex", "session support").
    cue('support', 0, {
      notBeforeName: true,
      notAfter: [
        'tool',
        'native',
        'mcp',
        'language',
        'adds',
        'added',
        'with',
        'has',
        'have',
        'python',
        'typescript',
        'first',
        'class',
        'to',
        'i',
        'we',
        'will',
        'just',
        'totally',
        'thoroughly',
        'fully',
        'also',
        'session',
        'prompt',
        'model',
      ],
      notBefore: ['for', 'mcp', 'the', 'a', 'an', 'it', 'them', 'this', 'that', 'both', 'multiple'],
    }),
    ...words('ticket,tickets,refund*,discord,forum,devrel,emailed,email', 0, { needsJudgement: true }),
    ...words(
      'no response,never responded,never replied,ghosted,ignored my,radio silence,bot replies,canned response,no reply,zero support',
      -1,
    ),
    ...words('responsive support,helpful support,quick to respond,got back to me,refunded', 1),
  ],
  docs: [
    ...words('docs,documentation,documented,api reference,reference docs', 0, {
      notAfter: ['generated', 'generate', 'generates', 'writes', 'wrote', 'write', 'writing'],
    }),
    ...words('guide,guides,tutorial*,examples,readme,changelog,release notes,manual', 0, {
      needsJudgement: true,
      notAfter: ['generated', 'generate', 'generates', 'writes', 'wrote', 'write', 'writing'],
    }),
    ...words('undocumented,poorly documented,outdated docs,no docs,missing docs,sparse docs', -1),
    ...words('well documented,great docs,good docs,excellent docs,clear docs', 1),
  ],
};

export const ASPECT_CUES: AspectCue[] = Object.entries(CUES_BY_ASPECT).flatMap(([aspect, cues]) =>
  cues.map((c) => ({ ...c, aspect: aspect as AspectName })),
);

/** Patterns the word matcher cannot express: amounts, sizes and status codes. */
export interface AspectPattern {
  aspect: AspectName;
  pattern: RegExp;
  polarity: -1 | 0 | 1;
  weight?: number;
  moreIs?: -1 | 1;
}

export const ASPECT_PATTERNS: AspectPattern[] = [
  {
    aspect: 'cost',
    pattern:
      /[$€£]\s?\d[\d,]*(?:\.\d+)?\s?[kKmM]?(?:\s?(?:\/|per|a|an)\s?(?:mo|month|year|yr|seat|user|m|million|mtok|1m)\b)?|\b\d[\d,]*(?:\.\d+)?\s?(?:[$€£]|(?:usd|dollars?|bucks|eur|euros)\b)/g,
    polarity: 0,
    moreIs: -1,
    weight: 0.8,
  },
  {
    aspect: 'context_window',
    pattern: /\b\d+(?:\.\d+)?\s?[kKmM]\b\**[\s-]?(?:(?:native|tokens?|token of)[\s-]?)?(?:context|window|ctx)\b/g,
    polarity: 0,
    moreIs: 1,
  },
  { aspect: 'context_window', pattern: /\b(?:1|2|one|two)\s?(?:m|million)[\s-]?tokens?\b/gi, polarity: 0, moreIs: 1 },
  {
    aspect: 'reliability',
    pattern:
      /(?<![$€£\d.,])\b(?:500|502|503|504|529)\b(?![.,]\d|\s?(?:[kKmM]\b|lines|tokens|requests|messages|dollars|usd|\/|\+))(?:\s?(?:errors?|responses?|status))?/g,
    polarity: -1,
    weight: 0.8,
  },
  // "each change is taking over an hour", "I wait 6 minutes for it": a stated wait is slowness.
  {
    aspect: 'speed',
    pattern:
      /\b(?:takes?|took|taking|wait(?:ed|ing|s)?)\s+(?:over\s+|about\s+|around\s+|almost\s+|nearly\s+|up to\s+)?(?:\d+|an?|several|many)\s?(?:m|mins?|minutes?|hours?|hrs?|h)\b/gi,
    polarity: -1,
    weight: 0.7,
  },
  { aspect: 'speed', pattern: /\b\d+(?:\.\d+)?\s?(?:tok\/s|tk\/s|tokens?\/s|t\/s|tps)\b/gi, polarity: 0, moreIs: 1, weight: 0.8 },
];

/** Words that judge whatever they sit next to. Values are in [-1, 1]. */
export const EVALUATIVE_WORDS: Record<string, number> = {
  good: 0.6,
  great: 0.8,
  excellent: 0.9,
  amazing: 0.9,
  awesome: 0.9,
  fantastic: 0.9,
  incredible: 0.9,
  love: 0.8,
  loved: 0.8,
  loving: 0.7,
  solid: 0.6,
  impressive: 0.8,
  impressed: 0.7,
  nice: 0.5,
  better: 0.6,
  best: 0.8,
  improved: 0.6,
  improvement: 0.5,
  perfect: 0.9,
  brilliant: 0.9,
  superb: 0.9,
  stellar: 0.9,
  decent: 0.4,
  happy: 0.6,
  pleased: 0.6,
  reasonable: 0.5,
  fair: 0.4,
  generous: 0.7,
  smooth: 0.6,
  wonderful: 0.8,
  helpful: 0.6,
  useful: 0.5,
  fine: 0.3,
  okay: 0.2,
  ok: 0.2,
  worth: 0.6,
  sane: 0.4,
  unbeatable: 0.8,
  underrated: 0.6,
  legit: 0.5,
  top: 0.5,
  killer: 0.5,
  fantastically: 0.8,
  excellently: 0.8,
  bad: -0.6,
  terrible: -0.9,
  awful: -0.9,
  horrible: -0.9,
  garbage: -0.9,
  trash: -0.9,
  worse: -0.6,
  worst: -0.9,
  hate: -0.8,
  hated: -0.8,
  sucks: -0.8,
  suck: -0.7,
  painful: -0.7,
  frustrating: -0.7,
  frustrated: -0.6,
  annoying: -0.6,
  broken: -0.7,
  useless: -0.8,
  disappointing: -0.7,
  disappointed: -0.7,
  meh: -0.4,
  poor: -0.6,
  mediocre: -0.5,
  ridiculous: -0.7,
  absurd: -0.7,
  outrageous: -0.8,
  insane: -0.5,
  steep: -0.6,
  unusable: -0.9,
  janky: -0.6,
  clunky: -0.6,
  confusing: -0.6,
  joke: -0.6,
  nightmare: -0.8,
  brutal: -0.7,
  lacking: -0.6,
  abysmal: -0.9,
  atrocious: -0.9,
  degraded: -0.6,
  worrying: -0.5,
  concerning: -0.5,
  sketchy: -0.6,
  shady: -0.7,
  lame: -0.5,
  crap: -0.8,
  crappy: -0.8,
  shit: -0.8,
  hurts: -0.5,
  killing: -0.6,
  problem: -0.4,
  problems: -0.4,
  issue: -0.3,
  issues: -0.4,
  pain: -0.5,
  wtf: -0.6,
  ugh: -0.6,
  unacceptable: -0.8,
  insulting: -0.7,
  predatory: -0.8,
  misleading: -0.6,
  wins: 0.6,
  win: 0.5,
  won: 0.5,
  loses: -0.5,
  joy: 0.8,
  easiest: 0.7,
  easy: 0.6,
  easier: 0.6,
  beats: 0.6,
  outperforms: 0.7,
  nicest: 0.8,
  favorite: 0.6,
  favourite: 0.6,
  flawless: 0.9,
  magic: 0.7,
  magical: 0.7,
  weird: -0.4,
  weirdly: -0.3,
  silently: -0.4,
  fight: -0.5,
  struggle: -0.5,
  struggles: -0.5,
  fails: -0.6,
  failed: -0.5,
  failing: -0.6,
  wrong: -0.6,
  stuck: -0.5,
  regret: -0.6,
  dead: -0.5,
  gone: -0.3,
  lost: -0.3,
  surprisingly: 0.2,
  finally: 0.3,
  thanks: 0.3,
  clean: 0.5,
  cleaner: 0.5,
  elegant: 0.7,
  noisy: -0.4,
  slick: 0.6,
  polished: 0.6,
  impossible: -0.6,
  hard: -0.3,
  harder: -0.4,
  unclear: -0.5,
  vague: -0.4,
  hassle: -0.6,
  fun: 0.5,
};

/** Judging words that only make sense for one aspect: "wild" spend, "hit" a limit. */
export const ASPECT_EVALUATORS: Partial<Record<AspectName, Record<string, number>>> = {
  cost: {
    aggressive: 0.5,
    undercuts: 0.6,
    undercut: 0.6,
    surprise: -0.5,
    vanished: -0.5,
    wild: -0.6,
    burn: -0.6,
    burned: -0.6,
    burns: -0.6,
    adds: -0.3,
    add: -0.3,
    worth: 0.6,
    value: 0.4,
    free: 0.6,
  },
  limits: { hit: -0.7, hitting: -0.7, hits: -0.7, reached: -0.6, exceeded: -0.7, exhausted: -0.7, stingy: -0.7, invisible: -0.5 },
  context_window: { hold: 0.4, holds: 0.5, fits: 0.5, limited: -0.6 },
  speed: { seconds: -0.2, minutes: -0.5 },
};

/** Words that judge an entity as a whole ("a letdown", "usable"); read only right after the mention. */
export const OVERALL_WORDS: Record<string, number> = {
  letdown: -0.7,
  disappointment: -0.7,
  usable: 0.5,
  overrated: -0.6,
  miss: 0.4,
  reliable: 0.5,
  goat: 0.8,
  delivers: 0.6,
  underwhelming: -0.6,
  overhyped: -0.6,
  hype: -0.3,
  winner: 0.7,
  clutch: 0.6,
  lifesaver: 0.8,
  well: 0.4,
  success: 0.6,
  successful: 0.6,
  powerful: 0.6,
  ahead: 0.5,
  behind: -0.5,
  king: 0.6,
  sophisticated: 0.6,
  precise: 0.6,
  productive: 0.6,
  inferior: -0.7,
  superior: 0.7,
  struggling: -0.5,
  struggled: -0.5,
};

/** Words that say "more" or "less" of something; their polarity depends on the topic's `moreIs`. */
export const DIRECTION_WORDS: Record<string, 1 | -1> = {
  high: 1,
  higher: 1,
  more: 1,
  increase: 1,
  increased: 1,
  raised: 1,
  doubled: 1,
  tripled: 1,
  bigger: 1,
  larger: 1,
  huge: 1,
  massive: 1,
  hike: 1,
  jumped: 1,
  went: 1,
  up: 1,
  large: 1,
  big: 1,
  long: 1,
  longer: 1,
  low: -1,
  lower: -1,
  less: -1,
  fewer: -1,
  decrease: -1,
  decreased: -1,
  reduced: -1,
  cut: -1,
  halved: -1,
  smaller: -1,
  tiny: -1,
  small: -1,
  dropped: -1,
  short: -1,
  shorter: -1,
  tighter: -1,
  tightened: -1,
};

export const INTENSIFIERS: Record<string, number> = {
  very: 1.3,
  really: 1.3,
  extremely: 1.5,
  super: 1.4,
  insanely: 1.5,
  incredibly: 1.5,
  so: 1.2,
  too: 1.3,
  absolutely: 1.4,
  totally: 1.3,
  ridiculously: 1.5,
  way: 1.3,
  crazy: 1.4,
  damn: 1.3,
  hella: 1.4,
  quite: 1.1,
  pretty: 1.1,
  stupidly: 1.4,
  painfully: 1.5,
  unbelievably: 1.5,
  consistently: 1.2,
  constantly: 1.3,
  always: 1.1,
  genuinely: 1.2,
  seriously: 1.3,
};

export const DOWNTONERS: Record<string, number> = {
  slightly: 0.6,
  somewhat: 0.7,
  bit: 0.7,
  little: 0.7,
  kinda: 0.7,
  kind: 0.8,
  sort: 0.8,
  sometimes: 0.8,
  occasionally: 0.7,
  mostly: 0.8,
  fairly: 0.9,
  barely: 0.5,
  rarely: 0.6,
};

export const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'none',
  'nothing',
  'without',
  'hardly',
  'nor',
  'neither',
  'zero',
  'isnt',
  'wasnt',
  'dont',
  'doesnt',
  'didnt',
  'cant',
  'cannot',
  'wont',
  'arent',
  'aint',
  'havent',
  'hasnt',
  'shouldnt',
  'lack',
  'lacks',
  'stopped',
  'werent',
  'couldnt',
  'wouldnt',
  'hadnt',
  'nobody',
  'nowhere',
]);

/** "could be better", "should be clearer": a wished-for good quality says the present one is lacking. */
export const COUNTERFACTUALS = new Set(['could', 'should', 'wish', 'needs', 'need']);

/** Words that start a clause whose judgement does not carry over from the one before. */
export const CLAUSE_BREAKERS = new Set(['but', 'however', 'although', 'though', 'whereas', 'while', 'yet', 'except', 'unlike']);

/** What a bare topic means when negated: "no docs" is bad, "no limits" is good. */
export const NEGATED_TOPIC: Partial<Record<AspectName, -1 | 1>> = {
  docs: -1,
  support: -1,
  privacy: -1,
  ux: -1,
  context_window: -1,
  limits: 1,
  cost: 1,
};

/** Abbreviations whose full stop does not end a sentence. */
export const ABBREVIATIONS = new Set(['e.g', 'i.e', 'eg', 'ie', 'vs', 'etc', 'approx', 'mr', 'mrs', 'dr', 'cf', 'fig', 'no']);
