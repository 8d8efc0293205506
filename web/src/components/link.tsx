import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { navigate } from '../lib/url-state.ts';

/** An in-app link: a real href (open in new tab works), navigation without reload on a plain click. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
    window.scrollTo(0, 0);
  };
  return <a href={href} onClick={handleClick} {...rest} />;
}
