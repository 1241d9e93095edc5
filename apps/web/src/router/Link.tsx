import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { navigate, usePathname } from './location';

export interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  to: string;
}

/** An ordinary link that navigates in-app on a plain left click. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const pathname = usePathname();
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    const modified = event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
    if (event.defaultPrevented || event.button !== 0 || modified || rest.target) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} aria-current={pathname === to ? 'page' : undefined} onClick={handleClick} {...rest} />;
}
