// index.js — /signin/: where sign-out and locking lead, and the way into the four homes (each
// starts the sign-in with the platform's OpenID Connect provider when opened).
import { t, translate, switchLanguage, lang } from '/lib/i18n.js';

translate(document);
const q = new URLSearchParams(location.search);
const notice = document.getElementById('notice');
if (q.has('out')) notice.textContent = t('signin.out');
else if (q.has('locked')) notice.textContent = t('signin.locked');
notice.hidden = !notice.textContent;
const other = lang === 'vi' ? 'en' : 'vi';
const b = document.getElementById('lang-switch');
b.setAttribute('lang', other);
b.addEventListener('click', () => switchLanguage(other));
document.body.dataset.ready = 'true';
